"""The health check (site/health.py): what a load balancer and a monitor are told."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mail.models import OutgoingMail, WorkerHeartbeat
from tests.test_page_cache import REDIS_DOWN

pytestmark = pytest.mark.django_db


def worker_seen(seconds_ago):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1",
        host="test",
        pid=1,
        started_at=now - datetime.timedelta(hours=1),
        seen_at=now - datetime.timedelta(seconds=seconds_ago),
    )


def mail_due(seconds_ago):
    OutgoingMail.objects.create(
        key=f"due-{seconds_ago}",
        kind="data_export",
        to="lezer@example.nl",
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


@pytest.mark.parametrize("name", ["health", "health-app"])
def test_all_well_is_200_not_cached_without_cookies_and_writes_nothing(client, name):
    worker_seen(seconds_ago=5)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries)


@pytest.mark.parametrize("name", ["health", "health-app"])
def test_a_database_that_cannot_be_reached_is_503(client, monkeypatch, name):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get(reverse(name))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is False


def test_a_cache_that_cannot_be_reached_is_503(client, settings):
    settings.CACHES = REDIS_DOWN
    response = client.get(reverse("health-app"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_mail_waiting_while_no_worker_is_seen_is_503_but_app_servers_stay_healthy(client, settings):
    settings.MAIL_WORKER_TIMEOUT_SECONDS = 60
    worker_seen(seconds_ago=600)
    mail_due(seconds_ago=1)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["ok"] is False
    assert outbox["worker_last_seen_seconds"] >= 600
    assert "no worker has been seen" in " ".join(outbox["problems"])
    assert client.get(reverse("health-app")).status_code == 200


def test_no_worker_without_mail_waiting_is_well(client):
    assert client.get(reverse("health")).status_code == 200


def test_mail_due_for_too_long_is_503_even_with_a_worker(client, settings):
    settings.MAIL_HEALTH_DELAY_SECONDS = 300
    worker_seen(seconds_ago=1)
    mail_due(seconds_ago=30)
    assert client.get(reverse("health")).status_code == 200
    mail_due(seconds_ago=900)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"]["oldest_waiting_seconds"] >= 900


def test_the_outbox_admin_warns_when_mail_waits_and_no_worker_is_seen(admin_client_nl, settings):
    settings.MAIL_WORKER_TIMEOUT_SECONDS = 60
    changelist = reverse("admin:mail_outgoingmail_changelist")
    assert "wacht al" not in admin_client_nl.get(changelist).content.decode()
    worker_seen(seconds_ago=1200)
    mail_due(seconds_ago=600)
    html = admin_client_nl.get(changelist).content.decode()
    assert "Er wacht al 10 minuten e-mail om verstuurd te worden." in html
    assert "Het achtergrondproces (worker) is 20 minuten geleden voor het laatst gezien." in html
