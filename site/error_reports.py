"""Errors reported to the people who run the site: by mail to ADMINS, and to Sentry.

Django's own error mail (AdminEmailHandler) holds the whole request: POST data (a
comment's text, the poster's e-mail address), cookies, the reader's address
(REMOTE_ADDR, X-Real-IP, X-Forwarded-For) and every local variable of every frame. The
privacy page promises none of that, so ErrorMailHandler sends only what finding the
fault needs: the request id, method, path (tokens masked), status and the traceback
(the code, no variables). Sentry gets no personal data either (init_sentry).
"""

import logging
import re
import threading
import time
import traceback
from email.utils import getaddresses

from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from config.request_log import current_request, current_request_id, logged_path

SAME_ERROR_INTERVAL = 300  # seconds: one mail per error (type and place) in that time
# The request headers Sentry may keep: none that names or follows a reader (no address,
# cookie, user agent or referring page).
SENTRY_HEADERS = {"host", "accept", "content-type", "content-length"}


def parse_admins(value):
    """DJANGO_ADMINS ("Naam <adres@example.nl>, ander@example.nl") as Django 5.2's
    ADMINS: a list of (name, address) pairs."""
    admins = []
    for name, address in getaddresses([value]) if value.strip() else []:
        if "@" not in address:
            raise ImproperlyConfigured(
                f"DJANGO_ADMINS: {address or value!r} is not an e-mail address "
                "(write e.g. 'Naam <adres@example.nl>,ander@example.nl')."
            )
        admins.append((name or address, address))
    return admins


def _one_line(text, limit=200):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ErrorMailHandler(logging.Handler):
    """Mails an error that carries a traceback to ADMINS, without the request's data.

    Records without one (a 503 while the database is down, for instance) are left to
    the log and the health check. The same error (its type and the line it was raised
    at) is mailed at most once in SAME_ERROR_INTERVAL seconds per process; the next
    mail says how many were left out, and the access log still has every request.
    """

    def __init__(self, interval=SAME_ERROR_INTERVAL):
        super().__init__()
        self.interval = interval
        self._lock = threading.Lock()
        self._sent = {}  # error -> (when mailed, how many left out since)

    def _due(self, error):
        """Whether to mail this error now, and how many were left out before it."""
        now = time.monotonic()
        with self._lock:
            mailed, left_out = self._sent.get(error, (None, 0))
            if mailed is not None and now - mailed < self.interval:
                self._sent[error] = (mailed, left_out + 1)
                return False, 0
            self._sent[error] = (now, 0)
            return True, left_out

    def emit(self, record):
        if not settings.ADMINS or not record.exc_info or record.exc_info[0] is None:
            return
        try:
            kind, exception, trace = record.exc_info
            last = traceback.extract_tb(trace)[-1:] if trace else []
            where = (last[0].filename, last[0].lineno) if last else None
            due, left_out = self._due((kind.__qualname__, where))
            if not due:
                return
            request = getattr(record, "request", None)
            request_id = getattr(record, "request_id", None) or current_request_id() or "-"
            lines = [record.getMessage(), "", f"Request id: {request_id}"]
            if request is not None:
                lines += [f"Method: {request.method}", f"Path: {logged_path(request)}"]
            if getattr(record, "status_code", None):
                lines.append(f"Status: {record.status_code}")
            if left_out:
                lines.append(f"The same error {left_out} more times since the last mail.")
            lines += ["", *traceback.format_exception(kind, exception, trace)]
            subject = _one_line(f"{record.levelname}: {record.getMessage()} [{request_id}]")
            body = "\n".join(line.rstrip("\n") for line in lines)
            # An exception's message can quote a row (a database's "Key (email)=(…)").
            mail.mail_admins(_without_addresses(subject), _without_addresses(body))
        except Exception:
            self.handleError(record)


_ADDRESS = re.compile(r"[^\s@()<>\[\]'\"=,;:]+@[^\s@()<>\[\]'\"=,;:]+\.[A-Za-z]{2,}")


def _without_addresses(text):
    return _ADDRESS.sub("<e-mailadres>", text)


# Sentry (optional: pip install '.[sentry]')


def init_sentry(dsn, **options):
    """Report errors to Sentry without personal data: no cookies, user, address, user
    agent or request body, no local variables, the URL without its query string and with
    its tokens masked; the request id as the tag `request_id`. No tracing."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set, but sentry-sdk is not installed: pip install '.[sentry]' "
            "(or leave SENTRY_DSN empty)."
        ) from error
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        traces_sample_rate=None,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_sentry_event,
        before_breadcrumb=scrub_sentry_breadcrumb,
        **options,
    )


def _replace(value, raw, masked):
    if isinstance(value, str):
        return value.replace(raw, masked)
    if isinstance(value, dict):
        return {key: _replace(item, raw, masked) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_replace(item, raw, masked) for item in value]
    return value


def _mask_current_path(value):
    request = current_request()
    if request is None:
        return value
    masked = logged_path(request).split("?", 1)[0]
    if masked == request.path:
        return value
    return _replace(value, request.path, masked)


def scrub_sentry_event(event, hint=None):
    data = event.get("request")
    if isinstance(data, dict):
        for key in ("cookies", "data", "env", "query_string"):
            data.pop(key, None)
        headers = data.get("headers") or {}
        data["headers"] = {
            name: value for name, value in headers.items() if name.lower() in SENTRY_HEADERS
        }
        if isinstance(data.get("url"), str):
            data["url"] = data["url"].split("?", 1)[0]
    event.pop("user", None)
    event = _mask_current_path(event)
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def scrub_sentry_breadcrumb(crumb, hint=None):
    return _mask_current_path(crumb)
