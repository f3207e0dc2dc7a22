"""The site's URLs plus django-comments-xtd's, which its stock templates reverse."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("xtd/", include("django_comments_xtd.urls"))]
