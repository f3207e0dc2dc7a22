#!/usr/bin/env python3
"""Lighthouse on the production profile, in one command.

    .venv/bin/python bench/lighthouse.py                    # the article page
    .venv/bin/python bench/lighthouse.py --page / --page article --out lighthouse-out
    make quality                                            # the same as the first line

What it does, every time:

1. Installs npm's ``lighthouse`` (pinned, ``LIGHTHOUSE_VERSION``) into a cache folder
   (``${XDG_CACHE_HOME:-~/.cache}/ondernemen-lighthouse``) when it is missing, the way
   ``.ci/run`` installs vnu-jar: ``npm install --prefix <cache folder>``.
2. Starts the production profile (``deploy/serve-prod``: nginx, two gunicorns,
   PostgreSQL, Redis, the worker) on free ports, with a ``RUN_DIR`` of its own under
   /tmp, and polls until the article page answers 200 through nginx.
3. Runs Lighthouse ``--runs`` times (3) per page and keeps the run with the median
   performance score: mobile (the default form factor, simulated
   throttling), the four categories performance, accessibility, best-practices and seo,
   Debian's Chromium (``CHROME_PATH``, default /usr/bin/chromium) with
   ``--headless=new --no-sandbox --disable-gpu --disable-background-networking
   --disable-component-update --disable-sync --no-first-run``. JSON and HTML reports go to
   ``--out`` (default: a new temporary folder, printed).
4. Stops the profile (SIGTERM; serve-prod stops everything it started) and removes its
   RUN_DIR.

It prints every category's score ×100 and the audits that did not pass, and exits 1 when
any score is below ``--min`` (95), 2 when something could not run.

The profile serves plain http on 127.0.0.1; Lighthouse counts localhost as a secure
origin, so "Uses HTTPS" is not held against it here (it would be on a real host).
"""

# ruff: noqa: S603, S607, SIM115
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_PATH = "/nieuws/2012/05/10/drie-tips-voor-social-mediarichtlijnen/"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# 12.x: the newest line that supports Node 20 (13.x wants Node >= 22.19).
LIGHTHOUSE_VERSION = os.environ.get("LIGHTHOUSE_VERSION", "12.8.2")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run "
    # The production profile's certificate is its own, self-signed (deploy/serve-prod).
    "--ignore-certificate-errors"
)
ATTEMPTS = 3  # per Lighthouse run
START_TIMEOUT = 180  # seconds: migrate + collectstatic + four servers on a busy machine


def say(message: str) -> None:
    print(f"lighthouse: {message}", flush=True)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ondernemen-lighthouse"


def ensure_lighthouse() -> Path:
    """The CLI of the pinned Lighthouse, installed into the cache folder if needed."""
    prefix = cache_dir()
    package = prefix / "node_modules" / "lighthouse" / "package.json"
    cli = prefix / "node_modules" / "lighthouse" / "cli" / "index.js"
    installed = None
    if package.is_file() and cli.is_file():
        installed = json.loads(package.read_text(encoding="utf-8")).get("version")
    if installed != LIGHTHOUSE_VERSION:
        if not shutil.which("npm"):
            sys.exit("lighthouse: npm is needed to install lighthouse")
        say(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {prefix}")
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm", "install", "--silent", "--no-audit", "--no-fund",
                "--prefix", str(prefix), f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return cli


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on right now (the kernel's choice, so no guessing)."""
    sockets, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


def status_of(url: str, context: ssl.SSLContext | None = None) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310 - https://127.0.0.1
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, urllib.error.URLError):
        return None


class Profile:
    """deploy/serve-prod on free ports with a RUN_DIR of its own."""

    def __init__(self) -> None:
        self.http_port, self.port, *app_ports = free_ports(4)
        self.app_ports = app_ports
        self.run_dir = Path(tempfile.mkdtemp(prefix="ondernemen-lighthouse-", dir="/tmp"))
        # nginx's workers (www-data when started as root) must enter it.
        self.run_dir.chmod(0o755)
        # The profile serves HTTPS with a self-signed certificate of its own (RUN_DIR/tls).
        self.base = f"https://127.0.0.1:{self.port}"
        self.log_path = self.run_dir / "serve-prod.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, PORT=str(self.http_port), RUN_DIR=str(self.run_dir))
        env["HTTPS_PORT"] = str(self.port)
        env["APP_PORTS"] = " ".join(map(str, self.app_ports))
        env.pop("SITE_URL", None)  # serve-prod derives it from HTTPS_PORT
        say(f"starting deploy/serve-prod on {self.base} (RUN_DIR {self.run_dir})")
        log = open(self.log_path, "wb")  # kept open until the child has it
        self.process = subprocess.Popen(
            [str(ROOT / "deploy" / "serve-prod")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one at the end
        )
        log.close()
        url = self.base + ARTICLE_PATH
        deadline = time.monotonic() + START_TIMEOUT
        delay = 0.1
        while True:
            if self.process.poll() is not None:
                self.fail(f"deploy/serve-prod exited with status {self.process.returncode}")
            if status_of(url, self.tls_context()) == 200:
                break
            if time.monotonic() > deadline:
                self.fail(f"{url} did not answer 200 within {START_TIMEOUT} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        say(f"ready: {url} answers 200")

    def tls_context(self) -> ssl.SSLContext | None:
        certificate = self.run_dir / "tls" / "cert.pem"
        if not certificate.exists():
            return None
        return ssl.create_default_context(cafile=str(certificate))

    def fail(self, message: str) -> None:
        say(message)
        try:
            sys.stderr.write(self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:])
            for log in sorted((self.run_dir / "logs").glob("*.log")):
                tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
                sys.stderr.write(f"\n--- {log.name}\n{tail}")
        except OSError:
            pass
        self.stop()
        sys.exit(2)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            say("stopping deploy/serve-prod")
            process.send_signal(signal.SIGTERM)  # its trap stops everything it started
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process is not None:
            # Anything of its group still alive (nothing, normally).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self.run_dir, ignore_errors=True)


def run_lighthouse(cli: Path, url: str, out_base: Path) -> dict:
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", "/usr/bin/chromium")
    command = [
        "node", str(cli), url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json", "--output=html", f"--output-path={out_base}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]  # fmt: skip
    report = out_base.with_name(out_base.name + ".report.json")
    # A loaded machine now and then spoils Chrome's trace (NO_NAVSTART, NO_FCP):
    # such a run is repeated, at most ATTEMPTS times in all.
    for attempt in range(1, ATTEMPTS + 1):
        say(f"running lighthouse on {url}" + (f" (attempt {attempt})" if attempt > 1 else ""))
        report.unlink(missing_ok=True)
        result = subprocess.run(command, env=env)
        if result.returncode == 0 and report.is_file():
            return json.loads(report.read_text(encoding="utf-8"))
    raise RuntimeError(f"lighthouse failed on {url} {ATTEMPTS} times (exit {result.returncode})")


def not_passed(report: dict, category: str) -> list[str]:
    """The scored audits of a category that did not get a full score."""
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        score = audit.get("score")
        if audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative"):
            continue
        if score is None or score >= 1:
            continue
        value = audit.get("displayValue") or ""
        weight = ref.get("weight", 0)
        items = audit.get("details", {}).get("items") or []
        lines.append(
            f"    {ref['id']}: score {score:g}, weight {weight:g}"
            + (f", {value}" if value else "")
            + (f", {len(items)} item(s)" if items else "")
            + f" — {audit.get('title', '')}"
        )
    return lines


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (Lighthouse's advice: median of runs).

    Performance is the only category that moves from run to run: on a small, busy
    machine one stray long task of the browser's own ("Unattributable") can cost 10
    points of Total Blocking Time.
    """
    if len(runs) > 1:
        scores = [round(run["categories"]["performance"]["score"] * 100) for run in runs]
        say(f"performance over {len(runs)} runs: {scores}; reporting the median run")
    ordered = sorted(runs, key=lambda run: run["categories"]["performance"]["score"])
    return ordered[(len(ordered) - 1) // 2]


def page_url(base: str, page: str) -> str:
    return base + (ARTICLE_PATH if page == "article" else page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--page",
        action="append",
        help="path to audit, or 'article' (the seed article); repeatable; default: article",
    )
    parser.add_argument(
        "--out", type=Path, help="folder for the reports (default: a new temporary one)"
    )
    parser.add_argument("--min", type=float, default=95, help="lowest acceptable score ×100 (95)")
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs per page; the median counts (3)"
    )
    args = parser.parse_args()
    pages = args.page or ["article"]
    out = args.out or Path(tempfile.mkdtemp(prefix="lighthouse-reports-"))
    out.mkdir(parents=True, exist_ok=True)

    cli = ensure_lighthouse()
    profile = Profile()
    results: dict[str, dict] = {}
    try:
        profile.start()
        for page in pages:
            url = page_url(profile.base, page)
            name = "article" if page == "article" else (page.strip("/").replace("/", "_") or "home")
            runs = []
            for number in range(1, args.runs + 1):
                suffix = f"-run{number}" if args.runs > 1 else ""
                runs.append(run_lighthouse(cli, url, out / f"{name}{suffix}"))
            results[url] = median_run(runs)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        say(str(error))
        return 2
    finally:
        profile.stop()

    failed = False
    print()
    for url, report in results.items():
        version, form_factor = report["lighthouseVersion"], report["configSettings"]["formFactor"]
        print(f"{url}  (lighthouse {version}, {form_factor})")
        for category in CATEGORIES:
            score = round(report["categories"][category]["score"] * 100)
            verdict = "ok" if score >= args.min else "BELOW"
            failed |= score < args.min
            print(f"  {category:15} {score:3d}  {verdict}")
            for line in not_passed(report, category):
                print(line)
        warnings = report.get("runWarnings") or []
        for warning in warnings:
            print(f"  run warning: {warning}")
    print(f"\nreports (JSON and HTML): {out}")
    if failed:
        print(f"FAIL: a score is below {args.min:g}")
        return 1
    print(f"PASS: every score is at least {args.min:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
