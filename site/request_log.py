"""A request id for every request, and one line in the log for each.

The id comes from the front server when it sent one that looks like its own (nginx:
`proxy_set_header X-Request-ID $request_id;`, 32 hex characters), else it is made here
(uuid4, the same shape). It is `request.request_id`, the `X-Request-ID` response header,
the `request_id` of every log record made while the request is handled (RequestIdFilter;
"-" outside a request) and the code on the error pages ({% request_id %}), so that a
reader can quote it and an operator find the request in the logs.

The access line ("ondernemen.requests", INFO) holds the method, the path, the status and
the time taken, and nothing else about the reader: no address, user agent or cookie (the
privacy page promises the web server's log only). The path's tokens are masked: any part
that a URL pattern names as a token (the mail links' /abonnement/afmelden/<token>/ and
the like) and any part longer than 40 characters become "…"; of the query string only
the parameters' names are kept (`/?pagina=…`).
"""

import contextvars
import logging
import re
import time
import uuid
from urllib.parse import unquote_plus

from django import template
from django.utils.encoding import escape_uri_path

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
MASK = "…"
LONGEST_PART = 40  # characters: a longer part of a path is taken for a token
MOST_QUERY_NAMES = 10
LONGEST_PATH = 300  # characters logged of a path

access_logger = logging.getLogger("ondernemen.requests")

# The request being handled in this thread (or task), for log records and templates
# made without it at hand (Django renders 500.html and 400.html without a request).
_current_request = contextvars.ContextVar("ondernemen_current_request", default=None)


def request_id_for(request):
    incoming = request.META.get(_META_KEY, "")
    if _ACCEPTED_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request():
    return _current_request.get()


def current_request_id():
    """The id of the request being handled, or None outside a request."""
    request = _current_request.get()
    return getattr(request, "request_id", None)


def _masked(part, secrets):
    if part and (len(part) > LONGEST_PART or part in secrets):
        return MASK
    return escape_uri_path(part)


def _query_names(query_string):
    names = []
    for field in query_string.split("&"):
        name = unquote_plus(field.split("=", 1)[0])
        if name and name not in names:
            names.append(name)
    shown = [
        f"{MASK if len(name) > LONGEST_PART else escape_uri_path(name)}={MASK}"
        for name in names[:MOST_QUERY_NAMES]
    ]
    if len(names) > MOST_QUERY_NAMES:
        shown.append(MASK)
    return "&".join(shown)


def logged_path(request):
    """The request's path as it may be logged: tokens masked, query values left out.

    Percent-encoded, so that no character of the path can break a log line.
    """
    cached = getattr(request, "_logged_path", None)
    if cached is not None:
        return cached
    match = getattr(request, "resolver_match", None)
    secrets = set()
    if match is not None:
        secrets = {str(value) for name, value in match.kwargs.items() if "token" in name}
    path = "/".join(_masked(part, secrets) for part in request.path.split("/"))
    if len(path) > LONGEST_PATH:
        path = path[:LONGEST_PATH] + MASK
    query = request.META.get("QUERY_STRING", "")
    if query:
        path = f"{path}?{_query_names(query)}"
    if match is not None:
        # Resolved (or the view has run): the mask can no longer change.
        request._logged_path = path
    return path


class RequestIdMiddleware:
    """First after SecurityMiddleware and ClientIPMiddleware: it sees every page, the
    cached ones and the error pages included, and the time it logs is all but the
    whole time spent in Django (a streamed body is sent after it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        reset = _current_request.set(request)
        try:
            response = self.get_response(request)
            response[HEADER] = request.request_id
            milliseconds = round((time.perf_counter() - started) * 1000)
            method = re.sub(r"[^A-Z]", "?", request.method[:16])
            path = logged_path(request)
            access_logger.info(
                "%s %s %s %dms",
                method,
                path,
                response.status_code,
                milliseconds,
                extra={
                    "http_method": method,
                    "http_path": path,
                    "http_status": response.status_code,
                    "duration_ms": milliseconds,
                },
            )
            return response
        finally:
            _current_request.reset(reset)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to each record ("-" outside a request), and masks the path in
    Django's own records about a request ("Not Found: /abonnement/afmelden/…/")."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple) and path in record.args:
            masked = logged_path(request)
            record.args = tuple(masked if arg == path else arg for arg in record.args)
        return True


# A template library (TEMPLATES' "libraries": {% load request_log %}).
register = template.Library()


@register.simple_tag
def request_id():
    """The current request's id, or "" outside a request; needs no context, so it works
    in 500.html and 400.html too, which Django renders without the request."""
    return current_request_id() or ""
