"""Security headers on every page, throttled log-ins and rate-limited endpoints."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def pages(seed_article):
    return [
        reverse("articles:index"),
        seed_article.get_absolute_url(),
        reverse("comments:form", args=[seed_article.pk]),
        reverse("comments:follow", args=[seed_article.pk]),
        "/bestaat-niet/",
        reverse("admin:login"),
    ]


def test_every_page_carries_a_strict_csp_and_security_headers(client, seed_article):
    for url in pages(seed_article):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp, url
        assert "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert "frame-ancestors 'none'" in csp, url
        assert "object-src 'none'" in csp, url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def test_admin_pages_carry_the_csp_too(admin_client_nl, seed_article):
    for url in [
        reverse("admin:index"),
        reverse("admin:articles_article_change", args=[seed_article.pk]),
        reverse("admin:comments_comment_changelist"),
    ]:
        response = admin_client_nl.get(url)
        assert response.status_code == 200
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "<script>" not in response.content.decode()


def test_the_comment_form_sets_only_safe_cookies(client, seed_article):
    response = client.get(reverse("comments:form", args=[seed_article.pk]))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


PRODUCTION_HEADERS = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/robots.txt", secure=True, headers={"Host": "example.nl"})
from django.conf import settings
print(json.dumps({
    "headers": dict(response.headers),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
}))
"""


def test_production_sends_hsts_and_marks_cookies_secure():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k3y-" + "x7Q9" * 15,
        DJANGO_ALLOWED_HOSTS="example.nl",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_HEADERS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    hsts = report["headers"]["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
    assert report["session_secure"] and report["csrf_secure"] and report["ssl_redirect"]


def test_admin_login_is_throttled_after_five_failures(client, django_user_model):
    django_user_model.objects.create_superuser("baas", "baas@example.nl", "het-juiste-wachtwoord")
    login = reverse("admin:login")
    statuses = [
        client.post(login, {"username": "baas", "password": "fout"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    locked = client.post(login, {"username": "baas", "password": "het-juiste-wachtwoord"})
    assert locked.status_code == 429
    assert "Te veel inlogpogingen" in locked.content.decode()


def test_captcha_refresh_is_rate_limited(client, settings):
    settings.CAPTCHA_REFRESH_RATE = "3/m"
    ajax = {"X-Requested-With": "XMLHttpRequest"}
    statuses = [client.get("/captcha/refresh/", headers=ajax).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("route", ["subscription-confirm", "subscription-unsubscribe"])
def test_valid_subscription_links_always_work(client, seed_article, settings, route):
    """Mail providers send many one-click unsubscribes from one address: none is refused."""
    from comments.subscriptions import confirm_url, request_subscription, unsubscribe_url

    settings.SUBSCRIPTION_LINK_RATE = "2/m"
    subscription = request_subscription(email="lezer@example.nl", article=seed_article)
    url = (confirm_url if route == "subscription-confirm" else unsubscribe_url)(subscription)
    path = url.removeprefix(settings.SITE_URL)
    assert [client.post(path).status_code for _ in range(5)] == [200] * 5


@pytest.mark.parametrize("route", ["subscription-confirm", "subscription-unsubscribe"])
def test_links_that_do_not_work_are_rate_limited(client, settings, route):
    settings.SUBSCRIPTION_LINK_RATE = "2/m"
    path = reverse(f"comments:{route}", args=["geraden-token"])
    statuses = [client.post(path).status_code for _ in range(2)] + [client.get(path).status_code]
    assert statuses == [400, 400, 429]
    assert "Een ogenblik geduld" in client.post(path).content.decode()


def test_behind_a_proxy_limits_apply_per_reader_not_per_proxy(client, settings):
    settings.CAPTCHA_REFRESH_RATE = "2/m"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    ajax = {"X-Requested-With": "XMLHttpRequest"}

    def refresh(address):
        return client.get("/captcha/refresh/", headers={**ajax, "X-Real-IP": address}).status_code

    assert [refresh("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert refresh("203.0.113.2") == 200


def test_captcha_images_are_rate_limited(client, settings, db):
    from captcha.models import CaptchaStore

    settings.CAPTCHA_IMAGE_RATE = "3/m"
    key = CaptchaStore.generate_key()
    statuses = [client.get(f"/captcha/image/{key}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(f"/captcha/image/{key}/").headers["Content-Type"].startswith("text/plain")


def test_the_spoken_captcha_is_rate_limited(client, settings):
    settings.CAPTCHA_REFRESH_RATE = "2/m"
    statuses = [client.get("/captcha/audio/abc.wav").status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert 500 not in statuses


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Uw formulier kon niet worden verstuurd"), ("/en", "Your form could not be sent")],
)
def test_a_form_without_its_csrf_cookie_gets_a_page_with_the_text_back(
    seed_article, prefix, heading
):
    from django.test import Client

    reader = Client(enforce_csrf_checks=True)
    url = prefix + reverse("comments:form", args=[seed_article.pk])
    response = reader.post(url, {"name": "Sanne", "comment": "Mijn lange reactie & meer."})
    assert response.status_code == 403
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert ">Mijn lange reactie &amp; meer.</textarea>" in html
    assert "DEBUG" not in html


def test_the_csrf_page_does_not_echo_text_another_site_posted(seed_article):
    from django.test import Client

    reader = Client(enforce_csrf_checks=True)
    url = reverse("comments:form", args=[seed_article.pk])
    response = reader.post(
        url, {"comment": "Bel nu 0900-OPLICHTER"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "0900-OPLICHTER" not in response.content.decode()
