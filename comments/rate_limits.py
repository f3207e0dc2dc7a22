"""Telling "too often" from "we cannot count": django-ratelimit fails closed, so when the
cache that counts is down every request looks like one too many."""

import uuid

from django.conf import settings
from django.core.cache import caches


def counting_is_broken():
    """True when the cache that counts requests cannot be reached."""
    counter = caches[settings.RATELIMIT_USE_CACHE]
    key = f"comments:counting:{uuid.uuid4().hex}"
    working = counter.add(key, 1, 10) and counter.get(key) == 1
    counter.delete(key)
    return not working
