"""Links in the site's mails: building them, and reading what they carry.

A link's token is encrypted and authenticated (Fernet, a key per purpose derived
from SECRET_KEY and its fallbacks), so it reveals nothing, not even the address it
was sent to, and cannot be altered. Each purpose has its own salt and expiry.
Links in mails sent before tokens were encrypted (Django-signed JSON) are still
honoured until they expire.
"""

import base64
import datetime
import json
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from articles.site_urls import absolute_url
from comments.models import Subscription


@dataclass(frozen=True)
class LinkPurpose:
    salt: str
    max_age: datetime.timedelta


CONFIRM = LinkPurpose("comments.subscription.confirm", datetime.timedelta(days=7))
# Links in older mails keep working for a year: long enough for any inbox.
MANAGE = LinkPurpose("comments.subscription.manage", datetime.timedelta(days=365))
UNSUBSCRIBE = LinkPurpose("comments.subscription.unsubscribe", datetime.timedelta(days=365))
PRIVACY = LinkPurpose("comments.privacy", datetime.timedelta(days=1))


class InvalidLink(Exception):
    """A link's token is tampered with, expired or for something that no longer exists."""

    def __init__(self, *, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class SubscriptionGone(InvalidLink):
    """A genuine link whose subscription no longer exists (erased, or past its retention)."""


def _fernet(purpose):
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    keys = [
        base64.urlsafe_b64encode(
            salted_hmac(purpose.salt, "link-key", secret=secret, algorithm="sha256").digest()
        )
        for secret in secrets
    ]
    return MultiFernet([Fernet(key) for key in keys])


def make_token(purpose, payload):
    return _fernet(purpose).encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()


def read_token(purpose, token):
    """The payload (a dict) of a token made for this purpose; InvalidLink otherwise."""
    # A Django-signed token (from an older mail) has colons; an encrypted one has none.
    read = _read_signed if ":" in token else _read_encrypted
    payload = read(purpose, token)
    if not isinstance(payload, dict):
        raise InvalidLink()
    return payload


def _read_encrypted(purpose, token):
    fernet = _fernet(purpose)
    try:
        data = fernet.decrypt(token.encode())
        made_at = fernet.extract_timestamp(token.encode())
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise InvalidLink() from error
    if time.time() - made_at > purpose.max_age.total_seconds():
        raise InvalidLink(expired=True)
    try:
        return json.loads(data)
    except ValueError as error:
        raise InvalidLink() from error


def _read_signed(purpose, token):
    try:
        return signing.loads(token, salt=purpose.salt, max_age=purpose.max_age)
    except signing.SignatureExpired as error:
        raise InvalidLink(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidLink() from error


def link(viewname, purpose, payload):
    """The absolute address of `viewname` with a token carrying `payload`."""
    return absolute_url(reverse(viewname, args=[make_token(purpose, payload)]))


def subscription_link(viewname, purpose, subscription):
    """The address of a page for one subscription (its confirmation, its unsubscribe)."""
    return link(viewname, purpose, {"s": subscription.pk, "e": subscription.email})


def subscription_from_token(purpose, token):
    """The subscription a link is for; InvalidLink, or SubscriptionGone once it is deleted."""
    payload = read_token(purpose, token)
    subscription = (
        Subscription.objects.select_related("article")
        .filter(pk=payload.get("s"), email=payload.get("e"))
        .first()
    )
    if subscription is None:
        raise SubscriptionGone()
    return subscription


def email_from_token(purpose, token):
    email = read_token(purpose, token).get("e")
    if not isinstance(email, str):
        raise InvalidLink()
    return email
