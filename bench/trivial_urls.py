"""URLs for bench/trivial_wsgi.py: /trivial/ in front of the site's own URLs."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from config.urls import urlpatterns as site_urlpatterns

PAGE = Path(os.environ["BENCH_PAGE_FILE"]).read_bytes()


@require_safe
def trivial(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("trivial/", trivial, name="bench-trivial"), *site_urlpatterns]
