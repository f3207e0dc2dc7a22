"""The links in the site's mails (comments/links.py): they reveal nothing, work for their
own purpose only and until they expire, also after the secret key changed, and links
from mails sent before tokens were encrypted still work."""

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from comments import links
from comments.links import CONFIRM
from comments.models import Subscription
from comments.subscriptions import (
    confirm_url,
    manage_url,
    request_subscription,
    unsubscribe_url,
)
from tests.conftest import SUBSCRIBER, reveals, token_of
from tests.mail_sink import links_in, path_of

pytestmark = pytest.mark.django_db

DAY = 86400
EXPIRED = "Deze link is verlopen."
INVALID = "Deze link is niet geldig."


@pytest.fixture
def subscription(seed_article):
    """A sign-up waiting for confirmation, as the follow form leaves it."""
    return request_subscription(email=SUBSCRIBER, article=seed_article)


def old_style_token(purpose, subscription):
    """A link's token as mails had it before tokens were encrypted: Django-signed JSON."""
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=purpose.salt)


def later(monkeypatch, days):
    real_time = time.time
    monkeypatch.setattr("time.time", lambda: real_time() + days * DAY)


def test_links_in_mails_reveal_neither_the_address_nor_the_subscription(
    client, seed_article, post, smtp_sink, run_worker
):
    post(seed_article, email=SUBSCRIBER, followup="on")
    run_worker()
    [confirmation] = smtp_sink.to(SUBSCRIBER)
    confirm = next(link for link in links_in(confirmation) if "/bevestigen/" in link)
    client.post(path_of(confirm))
    post(seed_article, name="Bas", email="bas@example.nl")
    run_worker()
    [_confirmation, notification] = smtp_sink.to(SUBSCRIBER)
    list_unsubscribe = re.fullmatch(r"<(.+)>", notification["List-Unsubscribe"]).group(1)
    mail_links = [confirm, list_unsubscribe, *links_in(notification)]
    by_page = {
        page: [link for link in mail_links if f"/abonnement/{page}/" in link]
        for page in ("bevestigen", "beheren", "afmelden")
    }
    assert all(by_page.values()), by_page
    subscription = Subscription.objects.get(email=SUBSCRIBER)
    for link in sum(by_page.values(), []):
        assert SUBSCRIBER not in link
        assert not reveals(token_of(link), email=SUBSCRIBER, subscription_id=subscription.pk)
    # The check finds both in a link made the old way.
    old = old_style_token(CONFIRM, subscription)
    assert reveals(old, email=SUBSCRIBER)
    assert reveals(old, email="iemand@example.nl", subscription_id=subscription.pk)


def test_a_link_made_the_old_way_still_confirms(client, subscription):
    url = reverse("comments:subscription-confirm", args=[old_style_token(CONFIRM, subscription)])
    page = client.get(url)
    assert page.status_code == 200
    assert SUBSCRIBER in page.content.decode()
    response = client.post(url)
    assert "Aanmelding bevestigd" in response.content.decode()
    assert Subscription.objects.get(pk=subscription.pk).is_confirmed


def test_an_expired_confirmation_link_gets_a_clear_page(
    client, seed_article, post, smtp_sink, run_worker, monkeypatch
):
    post(seed_article, email=SUBSCRIBER, followup="on")
    subscription = Subscription.objects.get(email=SUBSCRIBER)
    token = signing.dumps({"s": subscription.pk, "e": SUBSCRIBER}, salt=CONFIRM.salt)
    real_time = time.time
    monkeypatch.setattr("time.time", lambda: real_time() + 8 * 86400)
    response = client.post(reverse("comments:subscription-confirm", args=[token]))
    assert response.status_code == 400
    assert "Deze link is verlopen." in response.content.decode()
    assert not Subscription.objects.get(pk=subscription.pk).is_confirmed


@pytest.mark.parametrize(
    ("make_url", "days", "works"),
    [
        (confirm_url, 6, True),
        (confirm_url, 8, False),
        (unsubscribe_url, 364, True),
        (unsubscribe_url, 366, False),
    ],
    ids=["confirm-6-days", "confirm-8-days", "unsubscribe-364-days", "unsubscribe-366-days"],
)
def test_an_encrypted_link_works_until_its_purpose_s_max_age(
    client, subscription, monkeypatch, make_url, days, works
):
    url = path_of(make_url(subscription))
    later(monkeypatch, days)
    response = client.post(url)
    subscription.refresh_from_db()
    changed = subscription.is_confirmed or subscription.scope == Subscription.Scope.NONE
    if works:
        assert response.status_code == 200
        assert changed
    else:
        assert response.status_code == 400
        assert EXPIRED in response.content.decode()
        assert not changed


def test_an_expired_manage_link_says_so(client, subscription, monkeypatch):
    url = path_of(manage_url(SUBSCRIBER))
    later(monkeypatch, 366)
    response = client.get(url)
    assert response.status_code == 400
    assert EXPIRED in response.content.decode()


@pytest.mark.parametrize(
    ("purpose", "page"),
    [
        (links.UNSUBSCRIBE, "comments:subscription-confirm"),
        (links.MANAGE, "comments:subscription-confirm"),
        (links.PRIVACY, "comments:subscription-confirm"),
        (links.CONFIRM, "comments:subscription-unsubscribe"),
    ],
    ids=["unsubscribe-on-confirm", "manage-on-confirm", "privacy-on-confirm", "confirm-on-stop"],
)
def test_a_link_for_one_purpose_does_not_work_for_another(client, subscription, purpose, page):
    confirmed_at = subscription.confirmed_at
    token = links.make_token(purpose, {"s": subscription.pk, "e": subscription.email})
    for response in (
        client.get(reverse(page, args=[token])),
        client.post(reverse(page, args=[token])),
    ):
        assert response.status_code == 400
        assert INVALID in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at == confirmed_at
    assert subscription.scope == Subscription.Scope.ALL


def test_an_altered_link_does_not_work(client, subscription):
    token = token_of(confirm_url(subscription))
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    response = client.post(reverse("comments:subscription-confirm", args=[altered]))
    assert response.status_code == 400
    assert INVALID in response.content.decode()
    assert not Subscription.objects.get(pk=subscription.pk).is_confirmed


def test_links_made_with_a_previous_secret_key_still_work(client, subscription, settings):
    settings.SECRET_KEY = "de-oude-sleutel-" + "x" * 40
    encrypted = path_of(confirm_url(subscription))
    signed = reverse("comments:subscription-confirm", args=[old_style_token(CONFIRM, subscription)])
    settings.SECRET_KEY = "de-nieuwe-sleutel-" + "y" * 40
    for url in (encrypted, signed):
        assert client.get(url).status_code == 400  # without the fallback: not valid
    settings.SECRET_KEY_FALLBACKS = ["de-oude-sleutel-" + "x" * 40]
    for url in (encrypted, signed):
        page = client.get(url)
        assert page.status_code == 200
        assert SUBSCRIBER in page.content.decode()
    assert client.post(encrypted).status_code == 200
    assert Subscription.objects.get(pk=subscription.pk).is_confirmed
