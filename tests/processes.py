"""Starting the site's own processes (worker, app servers) against the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url(settings_dict=None):
    """A DATABASE_URL for the database this process uses (during tests: the test database)."""
    db = settings_dict or connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(sink, *, database=None, **popen_options):
    """The real mail worker (`manage.py run_worker`), sending to `sink`, with short leases."""
    environment = {
        **os.environ,
        "DATABASE_URL": database or database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "MAIL_CLAIM_SECONDS": "1",
        "MAIL_RETRY_BASE_SECONDS": "0.2",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [*command, "--interval", "0.05"], cwd=ROOT, env=environment, **popen_options
    )


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
