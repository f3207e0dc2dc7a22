"""The wheel built from the repository holds the whole site.

The wheel is built (as `pip install .` builds it) from a copy of the checkout, so that the
build writes nothing into the checkout and no stale build/ folder can add or hide files.
Installed into a fresh virtualenv outside the checkout, with the pinned versions, the site
migrates a new SQLite database, passes the deployment checks, collects its static files and
serves the seed article from gunicorn in Dutch and English with its stylesheet. The wheel
must hold every file of the apps (migrations, templatetags, management commands, templates)
and all of templates/, static/ and locale/'s compiled translations, as found in the checkout.

Run it alone with `pytest -m packaging`. It needs PyPI, or pip's cache of the pinned versions.
"""

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.processes import ROOT, wait_for

pytestmark = pytest.mark.packaging

# The site's Python packages: each app is a top-level package of the wheel, and site/ is
# `config`. An app not listed here fails test_every_app_is_packaged.
APPS = [
    "articles",
    "comments",
    "moderation",
    "mail",
    "newsletter",
    "privacy",
    "backups",
    "search",
    "images",
    "archive_import",
]
SITE_DATA = ["templates", "static", "locale"]
ARTICLE = "/nieuws/2012/05/10/drie-tips-voor-social-mediarichtlijnen/"
TITLE = "Drie tips voor social mediarichtlijnen"

# Variables of the test run that must not reach the installed site: the checkout on the
# path, this virtualenv, pytest-django's settings module and whatever the settings read
# (CI's DATABASE_URL for the PostgreSQL run, for one).
LEAKING = re.compile(
    r"PYTHON|VIRTUAL_ENV$|DJANGO_|DATABASE_|CACHE_URL$|EMAIL_|DEFAULT_FROM_EMAIL$|SERVER_EMAIL$"
    r"|SITE_URL$|COMMENTS_|SUBSCRIPTION_|MAIL_|CAPTCHA_|CLIENT_IP_HEADER$"
)


def clean_environment():
    environment = {k: v for k, v in os.environ.items() if not LEAKING.match(k)}
    environment.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return environment


def run(command, *, cwd, env, timeout=300):
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{shlex.join(map(str, command))} exited with {result.returncode}:\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    )
    return result.stdout


def copy_of_the_checkout(target):
    """The checkout's files, without its virtualenv, git, caches and build or run output."""

    def ignore(directory, names):
        top = Path(directory) == ROOT
        return {
            name
            for name in names
            if name == "__pycache__"
            or name.endswith(".egg-info")
            or (top and (name.startswith(".") or name.startswith("db.sqlite3")))
            or (top and name in {"build", "dist", "staticfiles", "test-results"})
        }

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)


def checkout_files(folder):
    """The files under `folder` that belong in the wheel: not bytecode, not hidden."""
    return [
        path
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
        and path.suffix not in {".pyc", ".pyo"}
    ]


def expected_wheel_files():
    """Name in the wheel -> what it is, for every file the installed site needs."""
    expected = {}
    for app in (app for app in APPS if (ROOT / app).is_dir()):
        for path in checkout_files(app):
            name = path.relative_to(ROOT).as_posix()
            parts = path.relative_to(ROOT / app).parts
            if parts[0] == "migrations":
                kind = "migration"
            elif parts[0] == "templatetags":
                kind = "template tag module"
            elif parts[:2] == ("management", "commands") and path.suffix == ".py":
                kind = "management command"
            else:
                kind = "file of an app"
            expected[name] = kind
    for path in (ROOT / "site").glob("*.py"):
        expected[f"config/{path.name}"] = "module of config (site/)"
    for folder in SITE_DATA:
        for path in checkout_files(folder):
            if folder == "locale" and path.suffix != ".mo":
                continue
            expected[f"config/{path.relative_to(ROOT).as_posix()}"] = f"file of {folder}/"
    return expected


class Server:
    """gunicorn from the test's virtualenv, on a port of the system's choosing."""

    def __init__(self, venv, cwd, env, log_path):
        self.log_path = log_path
        command = [venv / "bin" / "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0"]
        command += ["--workers", "1", "--log-level", "info"]
        help_text = run([venv / "bin" / "gunicorn", "--help"], cwd=cwd, env=env)
        if "--no-control-socket" in help_text:
            # gunicorn >= 24 puts a control socket at one path per user: not shared.
            command.append("--no-control-socket")
        self.port = None
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(part) for part in command], cwd=cwd, env=env, stdout=log, stderr=log
            )

    def log(self):
        return self.log_path.read_text(errors="replace")

    def ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited at start-up:\n{self.log()[-5000:]}")
        if self.port is None:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log())
            if not found:
                return False
            self.port = int(found.group(1))
        try:
            return self.get("/robots.txt")[0] == 200
        except OSError:
            return False

    def get(self, path):
        """Status, headers and text of a GET, redirects not followed (no proxy either)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            return response.status, response.headers, body
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def workdir(tmp_path):
    """A folder outside the checkout, emptied afterwards (the virtualenv is large)."""
    assert not tmp_path.is_relative_to(ROOT)
    yield tmp_path
    for child in tmp_path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def test_every_app_is_packaged():
    """A new app folder (one with apps.py) must be added to APPS and to pyproject's packages."""
    # site/ is the configuration (packaged as config); its apps.py only renames others' apps.
    apps = sorted(path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "site")
    assert set(apps) <= set(APPS), f"apps not in APPS here (nor perhaps in pyproject.toml): {apps}"


def test_the_wheel_installs_and_serves_the_site(workdir):
    environment = clean_environment()

    # The wheel, built the way `pip install .` builds it.
    source, wheels = workdir / "source", workdir / "wheels"
    copy_of_the_checkout(source)
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheels, source],
        cwd=workdir,
        env=environment,
    )
    (wheel,) = wheels.glob("ondernemen-*.whl")

    # ... holding every file the site needs, as the checkout has them.
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
        entry_points = archive.read(
            next(name for name in in_wheel if name.endswith(".dist-info/entry_points.txt"))
        ).decode()
    expected = expected_wheel_files()
    kinds = set(expected.values())
    for kind in ["migration", "template tag module", "management command", "file of locale/"]:
        assert kind in kinds, f"no {kind} found in the checkout: is ROOT right?"
    missing = sorted(f"{name} ({kind})" for name, kind in expected.items() if name not in in_wheel)
    assert not missing, (
        "missing from the wheel (a new app goes in [tool.setuptools] packages in "
        "pyproject.toml):\n" + "\n".join(missing)
    )
    top_level = {name.split("/")[0] for name in in_wheel if not name.startswith("ondernemen-")}
    assert top_level <= {"config", *APPS}, f"unexpected packages in the wheel: {top_level}"
    assert "ondernemen = config.__main__:main" in entry_points

    # A fresh virtualenv outside the checkout, with the pinned versions.
    venv = workdir / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=workdir, env=environment)
    python = venv / "bin" / "python"
    run(
        [python, "-m", "pip", "install", "--quiet", wheel, "-c", ROOT / "constraints.txt"],
        cwd=workdir,
        env=environment,
        timeout=900,
    )
    config_dir = Path(
        run(
            [python, "-c", "import config; print(config.__file__)"], cwd=workdir, env=environment
        ).strip()
    ).parent
    assert config_dir.is_relative_to(venv), f"config imported from {config_dir}, not the wheel"

    # Migrate, the deployment checks and collectstatic, in production settings.
    site = {
        **environment,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    run([venv / "bin" / "ondernemen", "migrate", "--noinput"], cwd=workdir, env=site)
    assert (workdir / "db.sqlite3").is_file(), "the default database belongs in the working dir"
    run(
        [python, "-m", "config", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=workdir,
        env=site,
    )
    run([python, "-m", "config", "collectstatic", "--noinput"], cwd=workdir, env=site)
    assert (workdir / "staticfiles" / "staticfiles.json").is_file()
    assert not (config_dir / "db.sqlite3").exists()
    assert not (config_dir.parent / "staticfiles").exists()

    # Every management command of the apps is there (run_worker among them).
    listed = run([venv / "bin" / "ondernemen", "help", "--commands"], cwd=workdir, env=site)
    commands = {
        Path(name).stem
        for name, kind in expected.items()
        if kind == "management command" and not name.endswith("__init__.py")
    }
    assert commands <= set(listed.split()), f"commands not found: {commands - set(listed.split())}"

    # The compiled English catalog of locale/ is the one the installed site loads.
    catalogs = run(
        [
            python,
            "-c",
            "import gettext, json, django; django.setup()\n"
            "from django.conf import settings\n"
            "from django.utils.translation import trans_real\n"
            "mo = settings.LOCALE_PATHS[0] / 'en' / 'LC_MESSAGES' / 'django.mo'\n"
            "with open(mo, 'rb') as f: ours = gettext.GNUTranslations(f)._catalog\n"
            "loaded = trans_real.translation('en')._catalog\n"
            "print(json.dumps({'mo': str(mo), 'entries': len(ours),\n"
            "    'missing': [repr(k) for k in ours if k and k not in loaded][:5]}))",
        ],
        cwd=workdir,
        env={**site, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    catalogs = json.loads(catalogs)
    assert Path(catalogs["mo"]).is_relative_to(config_dir)
    assert catalogs["entries"] > 10 and not catalogs["missing"], catalogs

    # gunicorn serves the seed article, its stylesheet and the English version.
    server = Server(
        venv,
        cwd=workdir,
        env={**site, "DJANGO_SECURE_SSL_REDIRECT": "false"},
        log_path=workdir / "gunicorn.log",
    )
    try:
        wait_for(server.ready, timeout=60, what="gunicorn to answer")

        status, _, page = server.get(ARTICLE)
        assert status == 200, page[:2000]
        assert TITLE in page
        assert re.search(r"<h2[^>]*>\s*Reacties\b", page), "no Dutch 'Reacties' heading"
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+\.css)"', page)
        assert stylesheet, "no stylesheet in the page"
        assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet.group(1)), stylesheet.group(1)
        status, headers, css = server.get(stylesheet.group(1))
        assert status == 200 and headers["Content-Type"].startswith("text/css"), (status, headers)
        assert css.strip()

        status, _, page = server.get(f"/en{ARTICLE}")
        assert status == 200, page[:2000]
        assert TITLE in page
        assert re.search(r"<h2[^>]*>\s*Comments\b", page), "no English 'Comments' heading"
        assert not re.search(r"<h2[^>]*>\s*Reacties\b", page), "Dutch heading on /en/"
    except BaseException:
        print(server.log()[-5000:])
        raise
    finally:
        server.stop()
