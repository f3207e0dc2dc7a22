"""Backups that restore (backups/): made while the site writes, restored into a fresh
database, with every row back."""

import contextlib
import json
import os
import sqlite3
import threading
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from backups.archive import BackupError, back_up, read_manifest, restore
from comments.models import Comment, Subscription
from comments.posting import post_comment
from mail.models import OutgoingMail
from mail.outbox import queue_mail
from tests.processes import wait_for

TABLES = {
    "comments_comment": "xtdcomment_ptr_id",
    "django_comments": "id",
    "comments_subscription": "id",
    "mail_outgoingmail": "id",
    "articles_article": "id",
}


def post(article, text):
    return post_comment(
        article=article,
        parent=None,
        name="Schrijver",
        email="schrijver@example.nl",
        url="",
        text=text,
        followup=False,
        submission_key=uuid.uuid4().hex,
    ).comment


def _plain(value):
    # Django's own connection reads PostgreSQL's jsonb as text, a plain one as data.
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(value), sort_keys=True)
    return value


def rows_of(cursor, table, key):
    """{primary key: the whole row} of a table."""
    cursor.execute(f"SELECT {key}, * FROM {table}")  # noqa: S608 - our table names
    return {row[0]: tuple(_plain(value) for value in row[1:]) for row in cursor.fetchall()}


def live_rows():
    with connection.cursor() as cursor:
        return {table: rows_of(cursor, table, key) for table, key in TABLES.items()}


class Writer(threading.Thread):
    """Posts comments, one after the other, until stopped: the site being written to."""

    def __init__(self, article):
        super().__init__(daemon=True)
        self.article = article
        self.stopped = threading.Event()
        self.posted = 0

    def run(self):
        try:
            while not self.stopped.is_set():
                post(self.article, f"Geschreven tijdens de back-up, nummer {self.posted}.")
                self.posted += 1
        finally:
            connections.close_all()


@pytest.fixture
def fresh_database(tmp_path):
    """A new, empty database of the same kind as the test database, removed afterwards."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**settings_dict, "NAME": str(tmp_path / "hersteld.sqlite3")}
        return
    name = f"ondernemen_restore_{os.getpid()}"
    params = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield {**settings_dict, "NAME": name}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_rows(database):
    if connection.vendor == "sqlite":
        # Read as Django reads SQLite (its converters turn stored text into dates).
        types = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        with sqlite3.connect(database["NAME"], detect_types=types) as restored:
            cursor = restored.cursor()
            return {table: rows_of(cursor, table, key) for table, key in TABLES.items()}
    with (
        psycopg.connect(
            dbname=database["NAME"],
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            user=database["USER"],
            password=database["PASSWORD"] or None,
        ) as restored,
        restored.cursor() as cursor,
    ):
        return {table: rows_of(cursor, table, key) for table, key in TABLES.items()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_made_while_the_site_writes_restores_every_row(
    seed_article, tmp_path, fresh_database
):
    for number in range(20):
        post(seed_article, f"Een reactie van voor de back-up, nummer {number}.")
    Subscription.objects.create(
        email="volger@example.nl", article=seed_article, confirmed_at=timezone.now()
    )
    Subscription.objects.create(email="nieuwsbrief@example.nl", article=None)
    queue_mail(key="wacht", kind="data_export", to="lezer@example.nl", language="nl")
    before = live_rows()

    writer = Writer(seed_article)
    writer.start()
    try:
        # The backup starts while comments are being posted, and they go on after it.
        wait_for(lambda: writer.posted >= 2, 30, "the site being written to")
        folder = back_up(tmp_path / "back-ups")
        at_the_end = writer.posted
        wait_for(lambda: writer.posted > at_the_end, 30, "writing to go on")
    finally:
        writer.stopped.set()
        writer.join(timeout=30)

    restore(folder, fresh_database)
    restored = restored_rows(fresh_database)
    after = live_rows()
    for table in TABLES:
        # Every row from before the backup is back as it was...
        missing = {key for key, row in before[table].items() if restored[table].get(key) != row}
        assert missing == set(), (table, missing)
        # ...and the rest is a moment of the live site: rows as they were then, none torn.
        assert all(after[table].get(key) == row for key, row in restored[table].items()), table
    comments = len(restored["django_comments"])
    assert len(before["django_comments"]) <= comments <= len(after["django_comments"])
    assert Comment.objects.count() == len(after["comments_comment"])
    assert OutgoingMail.objects.filter(key="wacht").exists()


def test_a_damaged_backup_is_refused(db, tmp_path, fresh_database):
    folder = back_up(tmp_path)
    dump = next(path for path in folder.iterdir() if path.name.startswith("database"))
    with open(dump, "ab") as file:
        file.write(b"rommel")
    with pytest.raises(BackupError, match="damaged"):
        read_manifest(folder)
    with pytest.raises(BackupError):
        restore(folder, fresh_database)


def test_make_backup_writes_a_folder_with_a_manifest(db, tmp_path, capsys):
    call_command("backup_site", to=str(tmp_path))
    folder = tmp_path / capsys.readouterr().out.strip().split("/")[-1]
    manifest = read_manifest(folder)
    assert manifest["database"] == connection.vendor
    assert manifest["migrations"]["mail"].startswith("000")


def test_media_are_backed_up_and_restored(db, tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "beelden").mkdir(parents=True)
    (settings.MEDIA_ROOT / "beelden" / "foto.jpg").write_bytes(b"\xff\xd8beeld")
    folder = back_up(tmp_path / "back-ups")
    restore(folder, fresh_database, media_root=tmp_path / "hersteld")
    assert (tmp_path / "hersteld" / "beelden" / "foto.jpg").read_bytes() == b"\xff\xd8beeld"


def test_a_backup_is_for_the_sites_own_user_and_old_ones_are_forgotten(db, tmp_path):
    import datetime

    from backups.archive import forget_old_backups

    now = timezone.now()
    old = back_up(tmp_path, now=now - datetime.timedelta(days=20))
    recent = back_up(tmp_path, now=now - datetime.timedelta(days=2))
    (tmp_path / "notes").mkdir()  # not a backup: left alone
    assert oct(recent.stat().st_mode & 0o777) == "0o700"
    assert forget_old_backups(tmp_path, keep_days=14, now=now) == 1
    assert not old.exists() and recent.exists() and (tmp_path / "notes").exists()
