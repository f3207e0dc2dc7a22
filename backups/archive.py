"""Backups that restore: the database and the uploaded media, consistent while the site runs.

A backup is a folder: `database.dump` (PostgreSQL's pg_dump, custom format: one snapshot
of the whole database however much is being written meanwhile) or `database.sqlite3`
(SQLite's online backup API, safe while the site writes), `media.tar.gz` when there are
uploads, and `manifest.json` (when, which database, the applied migrations, each file's
SHA-256). A restore goes into a fresh database, which the site is then pointed at.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone


class BackupError(Exception):
    pass


def _postgres_environment(database):
    environment = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    # libpq's connection options of DATABASE_URL (sslmode, sslrootcert, ...) as its variables.
    for option, value in (database.get("OPTIONS") or {}).items():
        if option.startswith("ssl") and isinstance(value, str):
            environment[f"PG{option.upper()}"] = value
    return environment


def _run(command, environment):
    result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _applied_migrations(alias):
    recorder = MigrationRecorder(connections[alias])
    latest = {}
    for app, name in recorder.applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def back_up(target_folder, *, alias="default", now=None):
    """Write a backup into a new folder inside `target_folder`; returns its path."""
    now = now or timezone.now()
    database = connections[alias].settings_dict
    folder = Path(target_folder) / now.strftime("%Y%m%d-%H%M%S-%f")
    # Readers' addresses are in it: for the site's own user only.
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o700)
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        dump = folder / "database.dump"
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", database["NAME"]]
        _run(command, _postgres_environment(database))
    elif vendor == "sqlite":
        dump = folder / "database.sqlite3"
        source = sqlite3.connect(database["NAME"], timeout=30)
        try:
            with sqlite3.connect(dump) as copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
    else:
        raise BackupError(f"No backup for the database {vendor!r}.")
    files = [dump]
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        media = folder / "media.tar.gz"
        with tarfile.open(media, "w:gz") as archive:
            archive.add(media_root, arcname="media")
        files.append(media)
    manifest = {
        "made_at": now.isoformat(),
        "database": vendor,
        "migrations": _applied_migrations(alias),
        "files": {path.name: _sha256(path) for path in files},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def forget_old_backups(target_folder, *, keep_days, now=None):
    """Delete the backup folders in `target_folder` made more than `keep_days` ago (their
    names tell when); returns how many. Erased data and old IP addresses do not outlive
    the privacy page's promises in backups either."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=keep_days)
    forgotten = 0
    for folder in Path(target_folder).iterdir() if Path(target_folder).is_dir() else []:
        try:
            made = datetime.datetime.strptime(folder.name, "%Y%m%d-%H%M%S-%f")
        except ValueError:
            continue  # not one of ours
        if made.replace(tzinfo=datetime.UTC) < cutoff and (folder / "manifest.json").exists():
            shutil.rmtree(folder)
            forgotten += 1
    return forgotten


def read_manifest(folder):
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} holds no readable manifest.json.") from error
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 differs).")
    return manifest


def restore(folder, database, *, media_root=None):
    """Restore the backup in `folder` into `database` (a settings dict of an empty database,
    PostgreSQL or a new SQLite file) and the media into `media_root` (if given)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    engine = database["ENGINE"]
    if manifest["database"] == "postgresql":
        if not engine.endswith("postgresql"):
            raise BackupError("A PostgreSQL backup restores into PostgreSQL.")
        command = [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database['NAME']}",
            str(folder / "database.dump"),
        ]
        _run(command, _postgres_environment(database))
    else:
        if not engine.endswith("sqlite3"):
            raise BackupError("An SQLite backup restores into SQLite.")
        target = Path(database["NAME"])
        if target.exists() and target.stat().st_size:
            raise BackupError(f"{target} exists: restore into a new file.")
        with (
            sqlite3.connect(folder / "database.sqlite3") as source,
            sqlite3.connect(target) as copy,
        ):
            source.backup(copy)
    if media_root is not None and "media.tar.gz" in manifest["files"]:
        media_root = Path(media_root)
        unpacked = media_root.parent / f".restoring-{datetime.datetime.now().timestamp()}"
        with tarfile.open(folder / "media.tar.gz") as archive:
            archive.extractall(unpacked, filter="data")
        # The media there now are set aside until the restored ones are in place.
        previous = media_root.parent / f".replaced-{datetime.datetime.now().timestamp()}"
        if media_root.exists():
            media_root.rename(previous)
        (unpacked / "media").rename(media_root)
        shutil.rmtree(unpacked)
        shutil.rmtree(previous, ignore_errors=True)
    return manifest
