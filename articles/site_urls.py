"""The site's own absolute addresses, for links that leave the request: canonical links,
feeds, sitemaps and e-mails (SITE_URL, not the request's host)."""

from django.conf import settings


def absolute_url(path):
    """SITE_URL + path; an address that is absolute already (media in S3) as it is."""
    if path.startswith(("https://", "http://")):
        return path
    return settings.SITE_URL + path
