"""A whole-page cache for anonymous readers of the listing and article pages.

Readers vastly outnumber writers. A reader without a session or messages
cookie gets the page from the cache, with an ETag and Last-Modified so that
a browser's conditional GET is answered with 304, and a short shared max-age
for the front server's micro-cache.

Each entry depends on version numbers. Every page depends on the site's: an article or
tip edited moves it on and makes every cached page stale at once. A page can also depend
on narrower ones it declares while it renders (`depends_on`): an article page on its own
discussion's, the listing on the comment counts'. A comment published, approved or
removed on article B moves only B's discussion version and the counts' version
(`invalidate_discussion`): article A's cached page, ETag and all, stays. A scheduled
article appears when its time comes because no page outlives that moment.

A version may also be declared with a lag: a page is then kept for up to that many seconds
after the version moves on. Recommendation counts use it, so a burst of clicks re-renders
an article's pages at most once per lag, not once per click.
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
# Pages that show comment counts (the listing) depend on this one.
COUNTS_VERSION_KEY = "pages:counts"
# Part of every page key: a deploy that changes what an entry holds, or pages' markup in a
# way their scripts or forms rely on (5: one "Waardevol" form a page), starts afresh.
ENTRY_FORMAT = 5
PAGE_TIMEOUT = 300  # seconds; versions make staleness impossible, this only frees memory
SHARED_CACHE_CONTROL = {"public": True, "max_age": 0, "s_maxage": 1, "stale_while_revalidate": 30}


def discussion_version_key(article_id):
    return f"pages:discussion:{article_id}"


def recommendations_version_key(article_id):
    return f"pages:recommendations:{article_id}"


def _bump(*keys):
    version = time.time_ns()
    cache.set_many(dict.fromkeys(keys, version), None)


def _bump_now_and_on_commit(*keys):
    # Once now, and once more when the transaction commits: a page rendered in between,
    # before the change was visible to other connections, is dropped too.
    _bump(*keys)
    transaction.on_commit(lambda: _bump(*keys))


def invalidate_pages(**kwargs):
    """Make every cached page stale (signal receivers pass keyword arguments)."""
    _bump_now_and_on_commit(VERSION_KEY)


def invalidate_discussion(*article_ids):
    """Make stale the pages of these articles' discussions and the pages with counts."""
    keys = {discussion_version_key(article_id) for article_id in article_ids}
    if keys:
        _bump_now_and_on_commit(COUNTS_VERSION_KEY, *keys)


def invalidate_recommendation_counts(article_id):
    """Make stale, within their lag, the pages showing this article's recommendation counts."""
    _bump(recommendations_version_key(article_id))


def depends_on(request, *keys, lag=0):
    """Called by a view before it reads what the versions stand for: its cached page is
    stale once one of them moves on (as well as the site's), or `lag` seconds after that.
    The versions are read now, so a change while the page renders leaves the entry stale,
    never the page old."""
    versions = getattr(request, "page_depends_on", {})
    versions.update(_current_versions(list(keys)))
    request.page_depends_on = versions
    if lag:
        lags = getattr(request, "page_lags", {})
        lags.update(dict.fromkeys(keys, lag))
        request.page_lags = lags


def current_version(key):
    """The version of one key now (started if the cache does not hold it): for keying
    other cached values on what a page depends on."""
    return _current_versions([key])[key]


def _still_fresh(entry, now):
    """The narrower versions an entry depends on are unchanged, or changed within their lag."""
    if not entry["depends_on"]:
        return True
    current = _current_versions(list(entry["depends_on"]))
    lags = entry.get("lags", {})
    return all(
        current[key] == version or now - entry["made_at"] < lags.get(key, 0)
        for key, version in entry["depends_on"].items()
    )


def _current_versions(keys, found=None):
    """The versions of these keys, starting any the cache does not hold."""
    found = dict(found or cache.get_many(keys))
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        start = time.time_ns()
        for key in missing:
            cache.add(key, start, None)
        found.update(cache.get_many(missing))
        for key in missing:
            found.setdefault(key, start)
    return {key: found[key] for key in keys}


def is_anonymous_reader(request):
    """No cookie that makes the page personal: a logged-in session, or a message to show."""
    personal = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
    return request.method in ("GET", "HEAD") and not any(
        name in request.COOKIES for name in personal
    )


def _next_publication(version):
    """When the next scheduled article goes live, as a timestamp (None: none is
    scheduled): no page may be kept past it. Asked of the database once per site version
    (saving an article moves it on) and again once that moment has passed."""
    key = f"pages:next-publication:{version}"
    known = cache.get(key)
    if known is not None and (known["at"] is None or known["at"] > time.time()):
        return known["at"]
    from articles.models import Article

    at = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).aggregate(next=Min("published_at"))["next"]
    at = at.timestamp() if at is not None else None
    cache.set(key, {"at": at}, PAGE_TIMEOUT)
    return at


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
        version = _current_versions([VERSION_KEY], found)[VERSION_KEY]
        entry = found.get(key)
        now = time.time()
        if entry and entry["version"] == version and entry["valid_until"] > now:
            # A second round trip only for a page that depends on narrower versions.
            fresh = _still_fresh(entry, now)
        else:
            fresh = False
        if fresh:
            response = _response_from(entry)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies:
                next_publication = _next_publication(version)
                valid_until = now + PAGE_TIMEOUT
                if next_publication is not None:
                    valid_until = min(valid_until, next_publication)
                response["Last-Modified"] = http_date(now)
                set_response_etag(response)
                entry = {
                    "version": version,
                    "valid_until": valid_until,
                    "made_at": now,
                    "body": response.content,
                    "content_type": response["Content-Type"],
                    "etag": response["ETag"],
                    "depends_on": getattr(request, "page_depends_on", {}),
                    "lags": getattr(request, "page_lags", {}),
                }
                cache.set(key, entry, PAGE_TIMEOUT)
        patch_cache_control(response, **SHARED_CACHE_CONTROL)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped
