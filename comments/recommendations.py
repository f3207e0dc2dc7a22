"""Readers recommending a comment ("Waardevol"), once each, without an account.

A reader is known by a random token in a signed cookie set only when they recommend, on
the recommending URL's path alone: article pages never see it and stay cacheable. The
cookie can be thrown away, so each IP address may also give one comment only a few
recommendations (COMMENTS_RECOMMENDATIONS_PER_ADDRESS: readers behind one office router
still can), and only so many an hour (COMMENTS_RECOMMEND_RATE, in the view).
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from articles.page_cache import invalidate_recommendation_counts
from comments.addresses import keyed_address
from comments.models import Comment, Recommendation

COOKIE_NAME = "waardevol"
COOKIE_SALT = "comments.recommendations"
COOKIE_MAX_AGE = 365 * 24 * 3600


class NotRecommended(Exception):
    """Why a recommendation was not counted, in words for the reader."""


def reader_token(request):
    """The reader's token from their cookie, or None."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        return signing.loads(value, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None


def new_reader_token():
    return secrets.token_urlsafe(24)


def write_reader_cookie(response, token, *, path):
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(token, salt=COOKIE_SALT),
        max_age=COOKIE_MAX_AGE,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def address_key(ip_address):
    """A keyed hash of the IP address (an IPv6 address by its /64); no address kept."""
    return keyed_address(ip_address, purpose="comments.recommendation-address")


def recommend(comment, *, token, ip_address):
    """Count the reader's recommendation of a visible comment once; returns the count.

    Raises NotRecommended when the comment cannot be recommended or the address has
    given it as many as it may.
    """
    if not comment.is_visible:
        raise NotRecommended(_("This comment can no longer be recommended."))
    reader = salted_hmac("comments.recommendation-reader", token).hexdigest()
    address = address_key(ip_address)
    with transaction.atomic():
        if Recommendation.objects.filter(comment=comment, reader=reader).exists():
            return Comment.objects.values_list("recommend_count", flat=True).get(pk=comment.pk)
        given = Recommendation.objects.filter(comment=comment, address=address).count()
        if address and given >= settings.COMMENTS_RECOMMENDATIONS_PER_ADDRESS:
            raise NotRecommended(
                _("This comment has already been recommended from your internet connection.")
            )
        try:
            with transaction.atomic():
                Recommendation.objects.create(comment=comment, reader=reader, address=address)
        except IntegrityError:  # the same reader, at the same moment
            pass
        else:
            Comment.objects.filter(pk=comment.pk).update(recommend_count=F("recommend_count") + 1)
    invalidate_recommendation_counts(int(comment.object_pk))
    return Comment.objects.values_list("recommend_count", flat=True).get(pk=comment.pk)
