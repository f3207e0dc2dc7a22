from django.conf import settings


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        # Articles are written in the site's language; English pages mark them as such.
        "content_language": settings.LANGUAGE_CODE,
    }
