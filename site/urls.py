from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from articles.sitemaps import SITEMAPS
from articles.views import favicon, robots_txt
from comments.captcha_views import (
    rate_limited_captcha_audio,
    rate_limited_captcha_image,
    rate_limited_captcha_refresh,
)
from config.health import app_health, site_health

# Reader-facing pages in Dutch at their own address, in English under /en/: the
# address alone decides the language, so every cache can keep each version.
urlpatterns = i18n_patterns(
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("", include("moderation.urls")),
    path("", include("newsletter.urls")),
    path("", include("privacy.urls")),
    path("", include("search.urls")),
    prefix_default_language=False,
)

urlpatterns += [
    # The footer's language switch is on every cached page, which carries no CSRF token (a
    # reader's GET sets no cookie). A forged switch could only change a visitor's language.
    path("taal/", csrf_exempt(set_language), name="set_language"),
    # Ahead of captcha.urls: the same refresh, with a rate limit.
    path("captcha/refresh/", rate_limited_captcha_refresh, name="captcha-refresh"),
    re_path(r"^captcha/audio/(?P<key>\w+)\.wav$", rate_limited_captcha_audio, name="captcha-audio"),
    re_path(
        r"^captcha/image/(?P<key>\w+)/$",
        rate_limited_captcha_image,
        {"scale": 1},
        name="captcha-image",
    ),
    re_path(
        r"^captcha/image/(?P<key>\w+)@2/$",
        rate_limited_captcha_image,
        {"scale": 2},
        name="captcha-image-2x",
    ),
    path("captcha/", include("captcha.urls")),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("gezond/", site_health, name="health"),
    path("gezond/app/", app_health, name="health-app"),
    path("favicon.ico", favicon, name="favicon"),
    path("beheer/", admin.site.urls),
]
# Uploaded images in development (DEBUG) only; in production the front server serves
# MEDIA_ROOT, or the media are in S3 (deploy/nginx.conf.template, README).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "Ondernemen met de beste ondersteuning"
admin.site.site_title = "Beheer"
