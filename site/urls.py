from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from articles.sitemaps import ArticleSitemap
from articles.views import favicon, robots_txt
from comments.captcha_views import rate_limited_captcha_refresh

urlpatterns = [
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    # Ahead of captcha.urls: the same refresh, with a rate limit.
    path("captcha/refresh/", rate_limited_captcha_refresh, name="captcha-refresh"),
    path("captcha/", include("captcha.urls")),
    path(
        "nieuwsbrief/",
        TemplateView.as_view(template_name="newsletter.html"),
        name="newsletter",
    ),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"articles": ArticleSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("beheer/", admin.site.urls),
]

admin.site.site_header = "Ondernemen met de beste ondersteuning"
admin.site.site_title = "Beheer"
