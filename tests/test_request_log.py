"""Every request has an id and one line in the log; errors reach the operators without
the reader's data (config.request_log, config.error_reports)."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django.utils.log import AdminEmailHandler
from django.views.decorators.csrf import csrf_exempt

from articles.page_cache import ENTRY_FORMAT
from config.error_reports import (
    ErrorMailHandler,
    init_sentry,
    parse_admins,
    scrub_sentry_breadcrumb,
    scrub_sentry_event,
)
from config.request_log import RequestIdFilter, RequestIdMiddleware, current_request_id
from tests.conftest import SUBSCRIBER, post_url

ROOT = Path(__file__).resolve().parents[1]
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
NGINX_ID = "4f1c0a9e2b7d4c55a1e3f0b6d8c2e9a7"
READER_ADDRESS = "203.0.113.7"
PROXIED_ADDRESS = "198.51.100.23"
LONG_PART = "x" * 41


# A URL configuration of this module's own (pytest.mark.urls), for views that log or fail.
def logging_view(request):
    logging.getLogger("tests.request_log").warning("in the view")
    return HttpResponse("logged")


def broken_view(request, token):
    email = request.POST.get("email", "")  # a local variable: it must not be reported
    raise RuntimeError(f"broken for {len(email)} characters")


urlpatterns = [
    path("logt/", logging_view),
    path("kapot/<str:token>/", csrf_exempt(broken_view)),
    path("", include("articles.urls")),  # 500.html links to the listing
]


@pytest.fixture
def log_output():
    """What the site's console handler writes, as a string buffer."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, RequestIdFilter) for item in handler.filters)
    ]
    assert handlers, "no log handler with the request id filter"
    stream = io.StringIO()
    previous = [(handler, handler.setStream(stream)) for handler in handlers]
    yield stream
    for handler, old in previous:
        if old is not None:
            handler.setStream(old)


def access_lines(output):
    return [line for line in output.getvalue().splitlines() if " ondernemen.requests " in line]


@pytest.fixture
def mail_handler():
    [handler] = [
        handler
        for handler in logging.getLogger("django.request").handlers
        if isinstance(handler, ErrorMailHandler)
    ]
    handler._sent.clear()
    yield handler
    handler._sent.clear()


# The id


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client, seed_article):
    ids = set()
    for url in [reverse("articles:index"), seed_article.get_absolute_url(), "/bestaat-niet/"]:
        response = client.get(url)
        assert GENERATED_ID.fullmatch(response["X-Request-ID"]), url
        ids.add(response["X-Request-ID"])
    assert len(ids) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", [NGINX_ID, "abcd1234", "Req-42-abc-" + "9" * 53])
def test_the_front_servers_id_is_kept(client, incoming, log_output):
    response = client.get("/bestaat-niet/", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming
    [line] = access_lines(log_output)
    assert f" {incoming} GET /bestaat-niet/ 404 " in line


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["", "kort", "x" * 65, "met spatie en meer", "abcdefgh\nINFO nep", "abcd;efgh", "ééééééééé"],
)
def test_an_id_that_is_not_the_front_servers_is_replaced(client, incoming):
    response = client.get("/bestaat-niet/", headers={"X-Request-ID": incoming})
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.urls(__name__)
def test_records_made_while_handling_a_request_carry_its_id(client, log_output):
    response = client.get("/logt/")
    logging.getLogger("tests.request_log").warning("after the request")
    lines = log_output.getvalue().splitlines()
    request_id = response["X-Request-ID"]
    assert any(
        line.endswith(f" WARNING tests.request_log {request_id} in the view") for line in lines
    )
    assert any(line.endswith(" WARNING tests.request_log - after the request") for line in lines)
    assert current_request_id() is None


# The access line


@pytest.mark.django_db
def test_the_access_line_has_status_and_id_and_nothing_about_the_reader(
    client, settings, seed_article, log_output
):
    from comments.subscriptions import request_subscription, unsubscribe_url

    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    subscription = request_subscription(email=SUBSCRIBER, article=seed_article)
    link = unsubscribe_url(subscription).removeprefix(settings.SITE_URL)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    client.cookies["reader"] = "koekje-van-de-lezer"
    response = client.get(
        f"{link}?token=geheim-in-de-query&pagina=2",
        REMOTE_ADDR=READER_ADDRESS,
        headers={
            "X-Real-IP": PROXIED_ADDRESS,
            "X-Forwarded-For": PROXIED_ADDRESS,
            "User-Agent": "Mozilla/5.0 LezersBrowser",
        },
    )
    [line] = access_lines(log_output)
    assert re.search(
        r" INFO ondernemen\.requests (\S+) GET /abonnement/afmelden/…/\?token=…&pagina=… "
        rf"{response.status_code} \d+ms$",
        line,
    ), line
    assert response["X-Request-ID"] in line
    for secret in [
        token,
        "geheim",
        READER_ADDRESS,
        PROXIED_ADDRESS,
        "LezersBrowser",
        "koekje",
        SUBSCRIBER,
    ]:
        assert secret not in log_output.getvalue(), secret


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link",
    [
        "/abonnement/bevestigen/kort-token/",
        "/en/abonnement/beheren/kort-token/",
        "/nieuwsbrief/afmelden/kort-token/",
        "/privacy/mijn-gegevens/kort-token/wissen/",
    ],
)
def test_a_token_is_masked_whatever_its_length(client, link, log_output):
    client.get(link)
    [line] = access_lines(log_output)
    assert f" GET {link.replace('kort-token', '…')} " in line
    assert "kort-token" not in log_output.getvalue()


@pytest.mark.django_db
def test_long_parts_of_unknown_paths_are_masked_too(client, log_output):
    client.get(f"/bestaat-niet/{LONG_PART}/nog-iets/")
    client.get("/bestaat%0Aniet/")
    first, second = access_lines(log_output)
    assert " GET /bestaat-niet/…/nog-iets/ 404 " in first
    assert LONG_PART not in log_output.getvalue()
    # A newline in the path cannot start a line of its own.
    assert " GET /bestaat%0Aniet/ 404 " in second
    assert "Not Found: /bestaat-niet/…/nog-iets/" in log_output.getvalue()


def test_django_sends_no_error_mail_of_its_own():
    for name in ["django", "django.request", "django.security", ""]:
        handlers = logging.getLogger(name).handlers
        assert not any(isinstance(handler, AdminEmailHandler) for handler in handlers), name


# Error pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "line"),
    [("", "Foutcode voor de redactie:"), ("/en", "Error code for the editors:")],
)
def test_the_404_page_shows_the_id(client, prefix, line):
    response = client.get(f"{prefix}/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f"{line} <code>{response['X-Request-ID']}</code>" in html


@pytest.fixture
def database_down(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    monkeypatch.setattr(connection, "chunked_cursor", down)


@pytest.mark.django_db
def test_the_503_page_shows_the_id(client, seed_article, database_down):
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 503
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "heading"), [("", "Er ging iets mis"), ("/en", "Something")])
def test_the_500_page_shows_the_id(client, monkeypatch, prefix, heading):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the listing")

    monkeypatch.setattr("articles.views.Paginator", broken)
    client.raise_request_exception = False
    response = client.get(f"{prefix}/")
    assert response.status_code == 500
    html = response.content.decode()
    assert heading in html
    assert f"<code>{response['X-Request-ID']}</code>" in html


@pytest.mark.django_db
def test_the_400_page_shows_the_id(client):
    response = client.get("/", headers={"Host": "niet-onze-site.example"})
    assert response.status_code == 400
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()


@pytest.mark.django_db
def test_the_csrf_page_shows_the_id(seed_article):
    reader = Client(enforce_csrf_checks=True)
    response = reader.post(post_url(seed_article), {"comment": "Mijn reactie."})
    assert response.status_code == 403
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()


@pytest.mark.django_db
def test_the_lock_out_page_shows_the_id(client, django_user_model):
    django_user_model.objects.create_superuser("baas", "baas@example.nl", "het-juiste-wachtwoord")
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "baas", "password": "fout"})
    assert response.status_code == 429
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()


# The page cache


@pytest.mark.django_db
def test_a_cached_page_gets_a_fresh_id_and_still_comes_from_the_cache(
    client, seed_article, django_assert_num_queries
):
    url = seed_article.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert GENERATED_ID.fullmatch(second["X-Request-ID"])
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert second.content == first.content
    assert first["X-Request-ID"].encode() not in first.content
    entry = cache.get(f"pages:{ENTRY_FORMAT}:{url}")
    assert set(entry) == {
        "version",
        "valid_until",
        "made_at",
        "body",
        "content_type",
        "etag",
        "depends_on",
        "lags",
    }


# Error mail


@pytest.mark.django_db
def test_a_server_error_mails_the_traceback_and_id_but_not_the_readers_data(
    client, settings, seed_article, comment_form, monkeypatch, mailoutbox, mail_handler
):
    settings.ADMINS = parse_admins("Beheer <beheer@example.nl>")
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    def broken(**kwargs):
        raise RuntimeError("the comment store broke")

    monkeypatch.setattr("comments.views.post_comment", broken)
    client.raise_request_exception = False
    sent = {}

    def post():
        sent.update(comment_form(seed_article, comment="Mijn geheime reactie"))
        return client.post(
            post_url(seed_article),
            sent,
            REMOTE_ADDR=READER_ADDRESS,
            headers={"X-Real-IP": PROXIED_ADDRESS, "X-Forwarded-For": PROXIED_ADDRESS},
        )

    response = post()
    assert response.status_code == 500
    [message] = mailoutbox
    assert message.to == ["beheer@example.nl"]
    request_id = response["X-Request-ID"]
    assert request_id in message.subject and "Internal Server Error" in message.subject
    body = message.body
    assert f"Request id: {request_id}" in body
    assert "Method: POST" in body and f"Path: {post_url(seed_article)}" in body
    assert "Traceback (most recent call last)" in body
    assert "RuntimeError: the comment store broke" in body
    assert message.alternatives == []
    everything = message.message().as_string()
    csrf_cookie = client.cookies["csrftoken"].value
    for secret in [
        "petra@example.nl",
        "Petra de Vries",
        "Mijn geheime reactie",
        READER_ADDRESS,
        PROXIED_ADDRESS,
        csrf_cookie,
        sent["form_token"],
    ]:
        assert secret not in everything, secret

    # The same fault again, at once: logged and answered, not mailed a second time.
    assert post().status_code == 500
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_without_admins_no_error_mail_is_sent(client, monkeypatch, mailoutbox, mail_handler):
    monkeypatch.setattr("articles.views.Paginator", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert client.get("/").status_code == 500
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_503_without_a_traceback_is_not_mailed(
    client, settings, seed_article, database_down, mailoutbox, mail_handler
):
    settings.ADMINS = [("Beheer", "beheer@example.nl")]
    assert client.get(seed_article.get_absolute_url()).status_code == 503
    assert mailoutbox == []


def test_admins_come_from_the_environment_as_django_5_2_wants_them():
    assert parse_admins("") == []
    assert parse_admins("Naam Achternaam <naam@example.nl>, ander@example.nl") == [
        ("Naam Achternaam", "naam@example.nl"),
        ("ander@example.nl", "ander@example.nl"),
    ]
    assert parse_admins('"Achternaam, Naam" <naam@example.nl>') == [
        ("Achternaam, Naam", "naam@example.nl")
    ]
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS"):
        parse_admins("geen adres")


def settings_in_a_fresh_process(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY"))}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.ADMINS)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_settings_read_django_admins():
    result = settings_in_a_fresh_process(DJANGO_ADMINS="Beheer <beheer@example.nl>")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('Beheer', 'beheer@example.nl')]"
    assert settings_in_a_fresh_process(DJANGO_ADMINS="beheer").returncode != 0


# Sentry


def test_a_sentry_dsn_without_sentry_sdk_stops_the_site():
    try:
        import sentry_sdk  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("sentry-sdk is installed here")
    result = settings_in_a_fresh_process(SENTRY_DSN="https://public@127.0.0.1:9/1")
    assert result.returncode != 0
    assert "pip install '.[sentry]'" in result.stderr


@pytest.fixture
def fake_sentry(monkeypatch):
    """A stand-in for sentry-sdk that records how it was set up (sends nothing)."""
    calls = []
    sdk = types.ModuleType("sentry_sdk")
    sdk.init = lambda *args, **kwargs: calls.append(kwargs)
    integrations = types.ModuleType("sentry_sdk.integrations")
    django_integration = types.ModuleType("sentry_sdk.integrations.django")
    django_integration.DjangoIntegration = type("DjangoIntegration", (), {})
    monkeypatch.setitem(sys.modules, "sentry_sdk", sdk)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations", integrations)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations.django", django_integration)
    return calls


def test_sentry_is_set_up_without_personal_data_or_tracing(fake_sentry):
    init_sentry("https://public@127.0.0.1:9/1")
    [options] = fake_sentry
    assert options["dsn"] == "https://public@127.0.0.1:9/1"
    assert options["send_default_pii"] is False
    assert options["traces_sample_rate"] is None
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert [type(item).__name__ for item in options["integrations"]] == ["DjangoIntegration"]
    assert options["before_send"] is scrub_sentry_event


def test_a_sentry_dsn_without_sentry_sdk_is_refused(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)
    with pytest.raises(ImproperlyConfigured, match=r"pip install '\.\[sentry\]'"):
        init_sentry("https://public@127.0.0.1:9/1")


def test_a_sentry_event_loses_the_readers_data():
    request = RequestFactory().post(f"/bestaat-niet/{LONG_PART}/", {"email": "petra@example.nl"})
    seen = {}

    def view(request):
        event = {
            "message": f"Not Found: {request.path}",
            "user": {"ip_address": READER_ADDRESS},
            "request": {
                "url": f"http://testserver{request.path}?token=geheim",
                "query_string": "token=geheim",
                "method": "POST",
                "data": {"email": "petra@example.nl"},
                "cookies": {"sessionid": "koekje"},
                "env": {"REMOTE_ADDR": READER_ADDRESS},
                "headers": {"X-Real-IP": PROXIED_ADDRESS, "Cookie": "koekje", "Accept": "*/*"},
            },
        }
        seen["event"] = scrub_sentry_event(event)
        seen["crumb"] = scrub_sentry_breadcrumb({"message": f"GET {request.path}"})
        seen["id"] = request.request_id
        return HttpResponse()

    RequestIdMiddleware(view)(request)
    event = seen["event"]
    text = json.dumps(event)
    for secret in ["petra", "geheim", "koekje", READER_ADDRESS, PROXIED_ADDRESS, LONG_PART]:
        assert secret not in text, secret
    assert LONG_PART not in json.dumps(seen["crumb"])
    assert event["request"]["url"] == "http://testserver/bestaat-niet/…/"
    assert event["request"]["headers"] == {"Accept": "*/*"}
    assert event["tags"]["request_id"] == seen["id"]


SENTRY_SCRIPT = """
import io, json, sys
import sentry_sdk
from sentry_sdk.transport import Transport

events = []

class Keep(Transport):
    def capture_envelope(self, envelope):
        events.extend(item.payload.json for item in envelope.items if item.type == "event")

real_init = sentry_sdk.init
sentry_sdk.init = lambda *args, **kwargs: real_init(*args, transport=Keep, **kwargs)

import django
django.setup()
from django.conf import settings
settings.ROOT_URLCONF = "tests.test_request_log"
from django.core.wsgi import get_wsgi_application

# Through the WSGI handler, as gunicorn calls it (Sentry reads the request from there).
body = b"email=petra%40example.nl"
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/kapot/" + "t" * 50 + "/",
    "QUERY_STRING": "token=geheim", "SERVER_NAME": "testserver", "SERVER_PORT": "80",
    "HTTP_HOST": "testserver", "REMOTE_ADDR": "203.0.113.7",
    "HTTP_X_REAL_IP": "198.51.100.23", "HTTP_X_FORWARDED_FOR": "198.51.100.23",
    "HTTP_COOKIE": "sessionid=koekje", "HTTP_USER_AGENT": "Lezersbrowser",
    "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
    "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
    "wsgi.run_once": False,
}
answer = {}
def start_response(status, headers, exc_info=None):
    answer.update(status=int(status.split()[0]), headers=dict(headers))
b"".join(get_wsgi_application()(environ, start_response))
sentry_sdk.flush()
print(json.dumps({"status": answer["status"], "id": answer["headers"]["X-Request-ID"],
                  "events": events}))
"""


def test_sentry_gets_the_error_without_the_readers_data():
    """With sentry-sdk installed: a real set-up whose transport keeps the events here."""
    pytest.importorskip("sentry_sdk")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY"))}
    environment.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k3y-" + "x7Q9" * 15,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="config.settings",
        SENTRY_DSN="https://public@127.0.0.1:9/1",
    )
    result = subprocess.run(
        [sys.executable, "-c", SENTRY_SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == 500
    assert report["events"], result.stderr
    text = json.dumps(report["events"])
    assert "RuntimeError" in text
    for secret in [
        "petra",
        "geheim",
        "koekje",
        "203.0.113.7",
        "198.51.100.23",
        "Lezersbrowser",
        "t" * 50,
    ]:
        assert secret not in text, secret
    [request] = {json.dumps(event["request"]) for event in report["events"]}
    assert json.loads(request)["url"] == "http://testserver/kapot/…/"
    assert any(
        event.get("tags", {}).get("request_id") == report["id"] for event in report["events"]
    )


@pytest.mark.django_db
def test_an_address_quoted_by_an_exception_is_left_out_of_the_mail(
    client, settings, seed_article, comment_form, monkeypatch, mailoutbox, mail_handler
):
    settings.ADMINS = parse_admins("Beheer <beheer@example.nl>")

    def broken(**kwargs):
        raise RuntimeError("Key (email, article_id)=(petra@example.nl, 1) already exists.")

    monkeypatch.setattr("comments.views.post_comment", broken)
    client.raise_request_exception = False
    assert client.post(post_url(seed_article), comment_form(seed_article)).status_code == 500
    [message] = mailoutbox
    assert "petra@example.nl" not in message.message().as_string()
    assert "Key (email, article_id)=(<e-mailadres>, 1)" in message.body
