"""The opt-in "remember me": name, e-mail and website in a signed cookie, only on request.

Nothing is stored without the reader ticking the box; unticking it on a later
comment deletes the cookie. The article page never reads it, so pages stay
cacheable; only the comment form fills itself in from it.
"""

from django.conf import settings
from django.core import signing

COOKIE_NAME = "lezer"
COOKIE_SALT = "comments.remembered-reader"
ONE_YEAR = 365 * 24 * 3600
FIELDS = ("name", "email", "url")


def read_reader_cookie(request):
    """The remembered fields (with the box ticked), or {} without a valid cookie."""
    try:
        data = signing.loads(
            request.COOKIES.get(COOKIE_NAME, ""), salt=COOKIE_SALT, max_age=ONE_YEAR
        )
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    remembered = {field: str(data[field]) for field in FIELDS if field in data}
    return {**remembered, "remember": True} if remembered else {}


def write_reader_cookie(request, response, data):
    """Keep the reader's fields for next time, or forget them when `data` is None."""
    if data is None:
        if COOKIE_NAME in request.COOKIES:
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps({field: data[field] for field in FIELDS}, salt=COOKIE_SALT),
        max_age=ONE_YEAR,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
