"""The site's WSGI application with one extra, trivial page: for bench/load.py only.

`gunicorn bench.trivial_wsgi` (from the project root) serves the whole site as
`gunicorn config.wsgi` does, with the same settings and middleware, plus
/trivial/: a view that returns preloaded bytes (the file named by BENCH_PAGE_FILE,
e.g. a saved article page) without touching the database or templates. Comparing
it with the real article page under the same gunicorn settings shows what the
view itself costs beyond Django's request handling.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Before the first request: the site's URLs, with /trivial/ in front of them.
settings.ROOT_URLCONF = "bench.trivial_urls"

application = get_wsgi_application()
