"""Privacy (AVG / GDPR): the privacy page, IP retention, log-ins, and a reader's own data."""

import datetime
import json
import re
import time

import pytest
from axes.models import AccessAttempt, AccessLog
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.links import PRIVACY
from comments.models import ANONYMOUS_NAME, Comment, Subscription
from comments.reader_cookie import COOKIE_NAME
from mail.models import OutgoingMail
from privacy.tasks import forget_old_data
from tests.conftest import reveals, token_of
from tests.mail_sink import html_of, path_of, text_of

pytestmark = pytest.mark.django_db

READER = "petra@example.nl"
OTHER = "bas@example.nl"


def ask_for_data(client, email):
    url = reverse("privacy:request")
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    return client.post(
        url,
        {
            "email": email,
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        },
    )


def data_link(smtp_sink, email):
    [message] = smtp_sink.to(email)
    link = re.search(r"https?://\S+/privacy/mijn-gegevens/\S+/", text_of(message)).group(0)
    assert link in html_of(message)
    return path_of(link)


def erase_tasks():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=forget_old_data.module_path
    )


def test_the_privacy_page_says_what_is_kept_and_how_long(client, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 45
    response = client.get(reverse("privacy:page"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "45" in html
    assert reverse("privacy:request") in html
    assert "Set-Cookie" not in response.headers
    assert client.get("/en/privacy/").status_code == 200


def test_old_ip_addresses_are_erased_and_the_task_comes_back_tomorrow(seed_article, post):
    old, new = post(seed_article), post(seed_article, comment="Nieuwe reactie.")
    Comment.objects.filter(pk__in=[old.pk, new.pk]).update(ip_address="203.0.113.7")
    Comment.objects.filter(pk=old.pk).update(
        submit_date=timezone.now() - datetime.timedelta(days=31)
    )
    assert forget_old_data.call()["ip_addresses"] == 1
    assert Comment.objects.get(pk=old.pk).ip_address is None
    assert Comment.objects.get(pk=new.pk).ip_address == "203.0.113.7"
    [next_run] = erase_tasks()
    assert next_run.run_after > timezone.now() + datetime.timedelta(hours=23)
    forget_old_data.call()
    assert erase_tasks().count() == 1  # one daily chain, however often it runs


def test_the_worker_starts_the_daily_erasure(seed_article, post, run_worker, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 7
    old = post(seed_article)
    Comment.objects.filter(pk=old.pk).update(
        ip_address="203.0.113.7", submit_date=timezone.now() - datetime.timedelta(days=8)
    )
    run_worker()
    assert Comment.objects.get(pk=old.pk).ip_address is None
    run_worker()
    [next_run] = erase_tasks()
    assert next_run.run_after > timezone.now() + datetime.timedelta(hours=23)


@pytest.fixture
def commented_with_ip(seed_article, post):
    comment = post(seed_article)
    Comment.objects.filter(pk=comment.pk).update(ip_address="203.0.113.7")
    return comment


def test_superusers_see_ip_addresses_in_the_admin(admin_client_nl, commented_with_ip):
    change = reverse("admin:comments_comment_change", args=[commented_with_ip.pk])
    assert "203.0.113.7" in admin_client_nl.get(change).content.decode()
    found = admin_client_nl.get(reverse("admin:comments_comment_changelist"), {"q": "203.0.113"})
    assert found.context["cl"].result_count == 1


def test_staff_without_the_permission_do_not_see_ip_addresses(
    client, django_user_model, commented_with_ip
):
    editor = django_user_model.objects.create_user("moderator", password="x" * 20, is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(editor)
    change = reverse("admin:comments_comment_change", args=[commented_with_ip.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert "203.0.113.7" not in response.content.decode()
    changelist = reverse("admin:comments_comment_changelist")
    assert client.get(changelist, {"q": "203.0.113"}).context["cl"].result_count == 0
    assert client.get(changelist, {"ip_address": "203.0.113.7"}).status_code in (302, 400)

    editor.user_permissions.add(Permission.objects.get(codename="view_ip_address"))
    editor = django_user_model.objects.get(pk=editor.pk)  # forget the cached permissions
    client.force_login(editor)
    assert "203.0.113.7" in client.get(change).content.decode()


@pytest.fixture
def reader_data(client, seed_article, make_article, post, smtp_sink, run_worker):
    """Two comments and a confirmed subscription of READER, and a comment of someone else."""
    other_article = make_article()
    first = post(seed_article, email=READER, url="https://petra.example.nl", followup="on")
    second = post(other_article, email="Petra@Example.nl", comment="Tweede gedachte van mij.")
    other = post(seed_article, name="Bas Bakker", email=OTHER, comment="Mijn eigen mening.")
    Comment.objects.filter(pk__in=[first.pk, second.pk, other.pk]).update(ip_address="203.0.113.7")
    Subscription.objects.create(email=OTHER, article=seed_article, confirmed_at=timezone.now())
    run_worker()
    Subscription.objects.filter(email=READER).update(confirmed_at=timezone.now())
    smtp_sink.clear()
    return first, second, other


def test_data_request_export_and_anonymising_end_to_end(
    client, seed_article, reader_data, smtp_sink, run_worker
):
    first, second, other = reader_data
    reader = Client()
    assert "Petra de Vries" in reader.get(seed_article.get_absolute_url()).content.decode()

    assert ask_for_data(client, READER).status_code == 200
    run_worker()
    [message] = smtp_sink.to(READER)
    assert message["Auto-Submitted"] == "auto-generated"
    link = data_link(smtp_sink, READER)

    page = client.get(link)
    assert page.status_code == 200
    summary = page.context["summary"]
    assert (summary["comments"], summary["discussions"], summary["newsletter"]) == (2, 1, None)
    assert summary["mails"] >= 1  # the mail with this link
    html = page.content.decode()
    assert READER in html
    assert "1 abonnement op een discussie" in html
    assert "Nieuwsbrief: niet aangemeld" in html

    download = client.post(reverse("privacy:export", args=[link.split("/")[-2]]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert download["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.content)
    assert data["email"] == READER
    assert [c["text"] for c in data["comments"]] == [
        "Goed punt, dank voor de tips.",
        "Tweede gedachte van mij.",
    ]
    assert data["comments"][0]["name"] == "Petra de Vries"
    assert data["comments"][0]["website"] == "https://petra.example.nl"
    assert data["comments"][0]["status"] == "public"
    assert data["comments"][0]["article"]["title"] == seed_article.title
    assert data["comments"][0]["article"]["url"].endswith(seed_article.get_absolute_url())
    assert data["comments"][0]["date"]
    assert data["comments"][0]["ip_address"] == "203.0.113.7"
    [subscription] = data["subscriptions"]
    assert subscription["kind"] == "discussion"
    assert subscription["article"]["title"] == seed_article.title
    assert subscription["scope"] == "all"
    assert subscription["language"] == "nl"
    assert subscription["created"] and subscription["confirmed"]
    assert {"kind": "data_export", "status": "sent"}.items() <= data["mails"][-1].items()
    assert data["mails"][-1]["created"] and data["mails"][-1]["sent"]
    assert "Bas" not in download.content.decode()
    assert OTHER not in download.content.decode()

    erase_url = reverse("privacy:erase", args=[link.split("/")[-2]])
    assert client.post(erase_url, {}).status_code == 200  # no choice made: nothing happens
    assert Comment.objects.get(pk=first.pk).user_name == "Petra de Vries"

    done = client.post(erase_url, {"mode": "anonymise"})
    assert done.status_code == 200
    assert done.context["comments"] == 2
    assert done.context["subscriptions"] == 1
    for comment in Comment.objects.filter(pk__in=[first.pk, second.pk]):
        assert comment.user_name == ANONYMOUS_NAME
        assert comment.user_email == comment.user_url == ""
        assert comment.ip_address is None
        assert comment.is_visible
    assert Comment.objects.get(pk=first.pk).comment == "Goed punt, dank voor de tips."
    assert not Subscription.objects.filter(email=READER).exists()
    assert not OutgoingMail.objects.filter(to=READER).exists()
    untouched = Comment.objects.get(pk=other.pk)
    assert (untouched.user_name, untouched.user_email) == ("Bas Bakker", OTHER)
    assert untouched.ip_address == "203.0.113.7"
    assert Subscription.objects.filter(email=OTHER).exists()

    article_page = reader.get(seed_article.get_absolute_url()).content.decode()
    assert "Petra de Vries" not in article_page
    assert ANONYMOUS_NAME in article_page
    assert "Goed punt, dank voor de tips." in article_page
    with translation.override("en"):
        english_page = reader.get(seed_article.get_absolute_url()).content.decode()
    assert "Anonymous reader" in english_page and ANONYMOUS_NAME not in english_page
    assert "petra.example.nl" not in article_page
    summary = client.get(link).context["summary"]
    assert (summary["comments"], summary["discussions"], summary["mails"]) == (0, 0, 0)


def test_erasing_can_remove_the_text_too(client, seed_article, reader_data, smtp_sink, run_worker):
    first, second, other = reader_data
    ask_for_data(client, READER)
    run_worker()
    token = data_link(smtp_sink, READER).split("/")[-2]
    done = client.post(reverse("privacy:erase", args=[token]), {"mode": "remove"})
    assert "2 reacties verwijderd" in done.content.decode()
    for comment in Comment.objects.filter(pk__in=[first.pk, second.pk]):
        assert comment.is_removed
        assert comment.comment == comment.comment_html == ""
        assert comment.user_name == ANONYMOUS_NAME
        assert comment.user_email == ""
    article_page = Client().get(seed_article.get_absolute_url()).content.decode()
    assert "Goed punt, dank voor de tips." not in article_page
    assert "Mijn eigen mening." in article_page


def test_a_get_on_the_link_changes_nothing(client, reader_data, smtp_sink, run_worker):
    ask_for_data(client, READER)
    run_worker()
    link = data_link(smtp_sink, READER)
    for _ in range(2):
        assert client.get(link).status_code == 200
    assert Comment.objects.filter(user_email__iexact=READER).count() == 2
    assert Subscription.objects.filter(email=READER).exists()


def test_the_link_in_the_data_mail_reveals_no_address(client, smtp_sink, run_worker):
    """Anyone who sees the link (a forwarded mail, a proxy's log) cannot read the address."""
    ask_for_data(client, READER)
    run_worker()
    token = token_of(data_link(smtp_sink, READER))
    assert not reveals(token, email=READER)
    assert reveals(data_token(READER), email=READER)  # as a link made the old way did
    assert client.get(reverse("privacy:data", args=[token])).context["email"] == READER


def test_at_most_one_data_mail_an_hour(client, smtp_sink, run_worker):
    for _ in range(3):
        assert ask_for_data(client, READER).status_code == 200
    run_worker()
    assert len(smtp_sink.to(READER)) == 1


def test_the_request_form_needs_the_captcha(client, smtp_sink, run_worker):
    url = reverse("privacy:request")
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    response = client.post(url, {"email": READER, "captcha_0": key, "captcha_1": "fout"})
    assert "De code klopt niet." in response.content.decode()
    run_worker()
    assert smtp_sink.messages == []


@pytest.mark.parametrize("route", ["data", "export", "erase"])
def test_tampered_links_are_refused(client, reader_data, route):
    token = signing.dumps({"e": READER}, salt="iets-anders")
    url = reverse(f"privacy:{route}", args=[token])
    response = client.get(url) if route == "data" else client.post(url, {"mode": "remove"})
    assert response.status_code == 400
    assert "Deze link is niet geldig." in response.content.decode()
    assert Comment.objects.filter(user_email__iexact=READER).count() == 2


def test_expired_links_are_refused(client, reader_data, monkeypatch):
    token = signing.dumps({"e": READER}, salt=PRIVACY.salt)
    real_time = time.time
    monkeypatch.setattr("time.time", lambda: real_time() + 2 * 86400)
    for response in (
        client.get(reverse("privacy:data", args=[token])),
        client.post(reverse("privacy:erase", args=[token]), {"mode": "remove"}),
    ):
        assert response.status_code == 400
        assert "Deze link werkt niet" in response.content.decode()
    assert Subscription.objects.filter(email=READER).exists()


def data_token(email):
    return signing.dumps({"e": email}, salt=PRIVACY.salt)


def test_the_erasure_form_without_a_choice_shows_the_error_by_the_radios(client, reader_data):
    """Without JavaScript (or forged), the error is in a summary and tied to the radio group."""
    response = client.post(reverse("privacy:erase", args=[data_token(READER)]), {})
    html = response.content.decode()
    summary = re.search(r'<div class="form-errors" role="alert".*?</div>', html, re.S).group(0)
    assert "Controleer het volgende:" in summary
    assert '<a href="#id_mode_0">Kies wat er met uw reacties moet gebeuren.</a>' in summary
    assert 'id="id_mode_0"' in html  # the link leads to the first choice
    fieldset = re.search(r"<fieldset[^>]*>.*?</fieldset>", html, re.S).group(0)
    assert 'aria-describedby="id_mode_error"' in fieldset
    assert re.search(r'<ul class="errorlist" id="id_mode_error"><li>Kies wat', fieldset)
    assert Comment.objects.filter(user_email__iexact=READER).count() == 2


def test_the_data_page_without_errors_has_no_error_summary(client, reader_data):
    html = client.get(reverse("privacy:data", args=[data_token(READER)])).content
    assert b"form-errors" not in html
    assert b"aria-describedby" not in html


@pytest.mark.parametrize(
    ("confirmed", "scope", "shown"),
    [
        (True, "all", "Nieuwsbrief: aangemeld"),
        (False, "all", "Nieuwsbrief: aangemeld, niet bevestigd"),
        (True, "none", "Nieuwsbrief: afgemeld"),
    ],
)
def test_the_data_page_shows_the_newsletter_apart_from_discussions(
    client, seed_article, confirmed, scope, shown
):
    Subscription.objects.create(
        email=READER, article=None, scope=scope, confirmed_at=timezone.now() if confirmed else None
    )
    Subscription.objects.create(email=READER, article=seed_article, confirmed_at=timezone.now())
    html = client.get(reverse("privacy:data", args=[data_token(READER)])).content.decode()
    assert "1 abonnement op een discussie" in html
    assert f"<li>{shown}</li>" in html


def test_the_export_names_the_newsletter_and_the_mail_history(client, seed_article, settings):
    newsletter = Subscription.objects.create(
        email=READER, article=None, language="en", confirmed_at=timezone.now()
    )
    OutgoingMail.objects.create(
        key="newsletter:1:petra",
        kind="newsletter",
        to=READER,
        status="sent",
        sent_at=newsletter.created_at,
    )
    OutgoingMail.objects.create(key="newsletter:1:bas", kind="newsletter", to=OTHER)
    url = reverse("privacy:export", args=[data_token(READER)])
    data = json.loads(client.post(url).content)
    [subscription] = data["subscriptions"]
    assert subscription["kind"] == "newsletter"
    assert subscription["article"] is None
    assert subscription["language"] == "en"
    assert subscription["created"] == newsletter.created_at.isoformat()
    assert subscription["confirmed"] == newsletter.confirmed_at.isoformat()
    [mail] = data["mails"]
    assert mail["kind"] == "newsletter" and mail["status"] == "sent"
    assert mail["created"] and mail["sent"]
    assert set(mail) == {"kind", "status", "language", "created", "sent"}  # no message text


def test_the_export_shows_an_erased_ip_address_as_null(client, seed_article, post):
    comment = post(seed_article, email=READER)
    Comment.objects.filter(pk=comment.pk).update(
        ip_address="203.0.113.7", submit_date=timezone.now() - datetime.timedelta(days=31)
    )
    url = reverse("privacy:export", args=[data_token(READER)])
    assert json.loads(client.post(url).content)["comments"][0]["ip_address"] == "203.0.113.7"
    forget_old_data.call()
    assert json.loads(client.post(url).content)["comments"][0]["ip_address"] is None


def test_the_privacy_page_names_every_retention_cookie_and_log(client, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 45
    settings.SUBSCRIPTION_RETENTION_DAYS = 21
    settings.MAIL_HISTORY_DAYS = 14
    text = re.sub(r"\s+", " ", client.get(reverse("privacy:page")).content.decode())
    assert "45 dagen na uw reactie" in text
    assert "tot u zich afmeldt, en daarna nog 21 dagen" in text
    assert "niet bevestigt, wordt na 21 dagen gewist" in text
    assert "(niet de tekst) 14 dagen" in text
    assert "Als u zich aanmeldt voor de nieuwsbrief, bewaren we uw e-mailadres" in text
    assert "elke e-mail bevat een link om te stoppen" in text
    for cookie in (settings.CSRF_COOKIE_NAME, COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME):
        assert cookie in text
    assert "local storage" in text
    assert "zonder het laatste deel" in text

    english = re.sub(r"\s+", " ", client.get("/en/privacy/").content.decode())
    assert "and then 21 more days" in english
    assert "for 14 days" in english


def test_the_language_cookie_lasts_as_long_as_the_privacy_page_says(client):
    """The page says the language choice is kept until the browser closes."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/en/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert not cookie["max-age"] and not cookie["expires"]


def test_successful_admin_log_ins_are_not_recorded(client, django_user_model):
    django_user_model.objects.create_superuser("baas", "baas@example.nl", "het-juiste-wachtwoord")
    login = reverse("admin:login")
    client.post(login, {"username": "baas", "password": "fout"})
    assert AccessAttempt.objects.count() == 1  # kept for the lock-out
    response = client.post(login, {"username": "baas", "password": "het-juiste-wachtwoord"})
    assert response.status_code == 302
    assert not AccessLog.objects.exists()
