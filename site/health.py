"""The health check for load balancers and monitors: 200 when all is well, else 503 and why.

`/gezond/app/` checks what an app server needs to serve readers (the database and the
cache): a load balancer uses it, so that a mail problem never takes app servers out of
rotation. `/gezond/` adds the outbox and the worker, for monitoring. Neither is cached,
sets a cookie or writes to the database.
"""

import time

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from mail.health import outbox_health


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return False, {"problems": [f"the database cannot be reached: {type(error).__name__}"]}
    return True, {}


def _cache():
    key = f"health:{time.monotonic_ns()}"
    try:
        working = cache.add(key, 1, 10) and cache.get(key) == 1
        cache.delete(key)
    except Exception as error:  # a cache backend without IGNORE_EXCEPTIONS raises its own
        return False, {"problems": [f"the cache cannot be reached: {type(error).__name__}"]}
    if not working:
        return False, {"problems": ["the cache does not keep what it is given"]}
    return True, {}


def _outbox():
    try:
        return outbox_health()
    except DatabaseError:
        return False, {"problems": ["the outbox cannot be read"]}


def _report(checks):
    results = {name: check() for name, check in checks.items()}
    healthy = all(ok for ok, _facts in results.values())
    body = {
        "status": "ok" if healthy else "error",
        "checks": {name: {"ok": ok, **facts} for name, (ok, facts) in results.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_safe
def app_health(request):
    return _report({"database": _database, "cache": _cache})


@never_cache
@require_safe
def site_health(request):
    return _report({"database": _database, "cache": _cache, "outbox": _outbox})
