"""A reader posts a comment through the production profile over HTTPS, in Chromium.

`deploy/serve-prod` runs as it does for real (nginx with TLS and HTTP/2 in front of two
gunicorn app servers, the worker, PostgreSQL and Redis, DJANGO_DEBUG=false: Secure
cookies, HSTS, CSRF checked as for HTTPS), on free ports, with a RUN_DIR of its own and
a database of its own (`ondernemen_https_e2e`, never the test database; serve-prod
creates and migrates it, and it is kept for the next run). The reader comes in over
plain http, is sent to https, opens the comment form from the article page, fills it in
(the captcha's answer is read from that database) and sees the comment on the page,
and so does a reader with no cookies. axe-core checks every page on the way.

Skipped (failed in CI) when nginx or openssl is missing and cannot be installed, or
PostgreSQL or Redis does not answer on 127.0.0.1.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTICLE_PATH,
    DESKTOP,
    LOCALE,
    post_comment,
    posted_comment_pk,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SERVE_PROD = ROOT / "deploy" / "serve-prod"
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ondernemen_https_e2e"
REDIS = ("127.0.0.1", 6379)
# Its own keys in Redis (posting limits, cached pages): nothing shared with another profile.
CACHE_URL = "redis://127.0.0.1:6379/1?key_prefix=https-e2e"
START_TIMEOUT = 240  # seconds; the first start creates and migrates the database
STOP_TIMEOUT = 30
WRITE_A_COMMENT = "Schrijf een reactie"


def unavailable(reason):
    """Skip on a developer's machine; in CI (the CI variable is set) the test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the HTTPS profile must be tested in CI")
    pytest.skip(reason)


def tool(name):
    return shutil.which(name) or next(
        (path for path in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(path, os.X_OK)),
        None,
    )


def postgres_answers():
    import psycopg

    try:
        with psycopg.connect(dbname="postgres", connect_timeout=3, **POSTGRES):
            return True
    except psycopg.OperationalError:
        return False


def redis_answers():
    try:
        with socket.create_connection(REDIS, timeout=3) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_ports(count):
    """Ports nothing listens on right now (the kernel's choice)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def captcha_answer_in_profile(hashkey):
    """The answer to a captcha the profile showed, read from the profile's database."""
    import psycopg

    with psycopg.connect(dbname="ondernemen_https_e2e", connect_timeout=5, **POSTGRES) as db:
        row = db.execute(
            "SELECT response FROM captcha_captchastore WHERE hashkey = %s", [hashkey]
        ).fetchone()
    assert row, f"no captcha {hashkey} in the profile's database"
    return row[0]


class Profile:
    """deploy/serve-prod on free ports, with a RUN_DIR and a database of its own."""

    def __init__(self):
        self.port, self.https_port, *self.app_ports = free_ports(4)
        self.run_dir = Path(tempfile.mkdtemp(prefix="ondernemen-https-e2e-", dir="/tmp"))
        # nginx's workers (www-data when started as root) must enter it.
        self.run_dir.chmod(0o755)
        self.http_base = f"http://127.0.0.1:{self.port}"
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.cert = self.run_dir / "tls" / "cert.pem"
        self.log = self.run_dir / "serve-prod.log"
        self.process = None

    def environment(self):
        env = {
            name: value
            for name, value in os.environ.items()
            # The profile sets its own; nothing of this test process's settings leaks in.
            if not name.startswith(("DJANGO_", "EMAIL_", "CAPTCHA_", "COMMENTS_"))
            and name not in {"SITE_URL", "DATABASE_URL", "CACHE_URL", "CLIENT_IP_HEADER"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            PORT=str(self.port),
            HTTPS_PORT=str(self.https_port),
            APP_PORTS=" ".join(map(str, self.app_ports)),
            RUN_DIR=str(self.run_dir),
            DATABASE_URL=DATABASE_URL,
            CACHE_URL=CACHE_URL,
            GUNICORN_WORKERS="1",
            # The reader here types faster than a person; the other browser tests do the
            # same. (serve-prod --check waits out the real 3 s instead.)
            COMMENTS_MIN_FILL_SECONDS="0",
        )
        return env

    def start(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(SERVE_PROD)],
                cwd=ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def logs(self):
        """serve-prod's output and the end of each log, for a failure message."""
        parts = [self.output()[-3000:]]
        for path in sorted((self.run_dir / "logs").glob("*.log")):
            parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-1500:])
        return "\n".join(parts)

    def status(self, url):
        context = ssl.create_default_context(cafile=self.cert)
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310 - 127.0.0.1
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, urllib.error.URLError):
            return None

    def wait_until_ready(self):
        """Poll until the article page answers 200 over HTTPS, or serve-prod gives up."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                output = self.output()
                if "could not install" in output or "missing: " in output:
                    unavailable(output.strip().splitlines()[-1])
                pytest.fail(
                    f"deploy/serve-prod exited with status {self.process.returncode}\n"
                    + self.logs()
                )
            if "serve-prod: ready" in self.output() and (
                self.status(self.base + ARTICLE_PATH) == 200
            ):
                return
            assert time.monotonic() < deadline, (
                f"{self.base}{ARTICLE_PATH} did not answer 200 within {START_TIMEOUT} s\n"
                + self.logs()
            )
            time.sleep(0.2)

    def stop(self):
        """SIGTERM to its process group (serve-prod stops what it started); then SIGKILL."""
        process, self.process = self.process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT)
            # Anything of its group still alive (nothing, normally).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)


@pytest.fixture
def profile():
    if not SERVE_PROD.exists():
        pytest.fail(f"{SERVE_PROD} is missing")
    missing = [name for name in ("nginx", "openssl") if tool(name) is None]
    if missing and os.geteuid() != 0:
        # As root, serve-prod installs Debian's packages itself.
        unavailable(f"{' and '.join(missing)} missing: sudo apt-get install {' '.join(missing)}")
    if not postgres_answers():
        unavailable("PostgreSQL does not answer on 127.0.0.1:5432 (user postgres)")
    if not redis_answers():
        unavailable("Redis does not answer on 127.0.0.1:6379")
    running = Profile()
    try:
        running.start()
        running.wait_until_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
def reader(browser, profile, browser_errors):
    """A page in a browser context that accepts the profile's self-signed certificate."""
    context = browser.new_context(
        base_url=profile.base, locale=LOCALE, viewport=DESKTOP, ignore_https_errors=True
    )
    yield browser_errors.watch(context.new_page())
    context.close()


@pytest.fixture
def new_reader(browser, profile, browser_errors):
    """Another reader, with no cookies of their own."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=profile.base, locale=LOCALE, viewport=DESKTOP, ignore_https_errors=True
        )
        contexts.append(context)
        return browser_errors.watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


def test_a_reader_posts_a_comment_over_https(profile, reader, new_reader, axe):
    page = reader

    # 1. Plain http is sent to https; the page comes over HTTP/2, with HSTS from Django.
    response = page.goto(profile.http_base + ARTICLE_PATH)
    assert page.url == profile.base + ARTICLE_PATH
    assert response.status == 200
    assert re.fullmatch(r"max-age=\d+.*", response.headers["strict-transport-security"])
    protocol = page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol")
    assert protocol == "h2"
    axe(page)

    # 2. "Schrijf een reactie" opens the form on the page.
    page.get_by_role("link", name=WRITE_A_COMMENT).click()
    form = page.locator("#reply-slot- form.comment-form")
    expect(form).to_be_visible()
    axe(page)

    # 3. Posted with the CSRF cookie, which the browser sends back only over HTTPS.
    text = f"Over HTTPS geplaatst, controle {uuid.uuid4().hex[:8]}."
    post_comment(
        form, captcha_answer_in_profile, name="Noor Jansen", email="noor@example.nl", text=text
    )
    pk = posted_comment_pk(page)
    assert page.url.startswith(profile.base)
    comment = page.locator(f"li#c{pk}")
    expect(comment).to_contain_text("Noor Jansen")
    expect(comment).to_contain_text(text)
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["csrftoken"]["secure"], cookies["csrftoken"]
    axe(page)

    # 4. A reader with no cookies sees it too, once the micro-cache has caught up: nginx
    # may serve the page from before for a second (stale-while-revalidate), so reload.
    other = new_reader()
    deadline = time.monotonic() + 10
    while True:
        other.goto(ARTICLE_PATH)
        if other.locator(f"li#c{pk}", has_text=text).count():
            break
        assert time.monotonic() < deadline, "readers do not see the new comment after 10 s"
        other.wait_for_timeout(300)
    expect(other.locator(f"li#c{pk}")).to_contain_text("Noor Jansen")
    axe(other)
