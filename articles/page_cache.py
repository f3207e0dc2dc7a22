"""A whole-page cache for anonymous readers of the listing and article pages.

Readers vastly outnumber writers. A reader without a session or messages
cookie gets the page from the cache, with an ETag and Last-Modified so that
a browser's conditional GET is answered with 304, and a short shared max-age
for the front server's micro-cache. Every change that shows on a page (a
comment published, approved or removed, an article or tip edited) moves one
version number on, which makes every cached page stale at once; a scheduled
article appears when its time comes because no page outlives that moment.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

VERSION_KEY = "pages:version"
# Part of every page key: a deploy that changes what an entry holds starts afresh.
ENTRY_FORMAT = 2
PAGE_TIMEOUT = 300  # seconds; versions make staleness impossible, this only frees memory
SHARED_CACHE_CONTROL = {"public": True, "max_age": 0, "s_maxage": 1, "stale_while_revalidate": 30}


def _bump_version():
    cache.set(VERSION_KEY, time.time_ns(), None)


def invalidate_pages(**kwargs):
    """Make every cached page stale (signal receivers pass keyword arguments).

    Once now, and once more when the transaction commits: a page rendered in
    between, before the change was visible to other connections, is dropped too.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


def _start_versions():
    version = time.time_ns()
    cache.add(VERSION_KEY, version, None)
    return cache.get(VERSION_KEY, version)


def is_anonymous_reader(request):
    """No cookie that makes the page personal: a logged-in session, or a message to show."""
    personal = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in personal
    )


def _next_publication():
    from articles.models import Article

    return Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).aggregate(next=Min("published_at"))["next"]


def _response_from(entry):
    response = HttpResponse(entry["body"], content_type=entry["content_type"])
    response["Last-Modified"] = http_date(entry["made_at"])
    response["ETag"] = entry["etag"]
    return response


def cache_page_for_anonymous_readers(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_anonymous_reader(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response

        key = f"pages:{ENTRY_FORMAT}:{request.get_full_path()}"
        found = cache.get_many([VERSION_KEY, key])  # one round trip to the cache
        version = found.get(VERSION_KEY) or _start_versions()
        entry = found.get(key)
        now = time.time()
        if entry and entry["version"] == version and entry["valid_until"] > now:
            response = _response_from(entry)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies:
                next_publication = _next_publication()
                valid_until = now + PAGE_TIMEOUT
                if next_publication is not None:
                    valid_until = min(valid_until, next_publication.timestamp())
                response["Last-Modified"] = http_date(now)
                set_response_etag(response)
                entry = {
                    "version": version,
                    "valid_until": valid_until,
                    "made_at": now,
                    "body": response.content,
                    "content_type": response["Content-Type"],
                    "etag": response["ETag"],
                }
                cache.set(key, entry, PAGE_TIMEOUT)
        patch_cache_control(response, **SHARED_CACHE_CONTROL)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped
