"""Benchmark: concurrent comment posting at full size, and page throughput with wrk.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/load.py                 # everything (about 2 minutes)
    .venv/bin/python bench/load.py --skip-wrk      # only the posting load
    .venv/bin/python bench/load.py --skip-load     # only the wrk figures
    .venv/bin/python bench/load.py --direct        # also the posting load without nginx

1. Posting load in production settings: the load test of
   tests/load/test_profile_under_load.py at full size (LOAD_CLIENTS=50, LOAD_POSTS=2000):
   deploy/serve-prod (DJANGO_DEBUG=false, nginx with TLS, two gunicorn app servers,
   Redis) on PostgreSQL (a test database of its own, test_ondernemen_loadbench, created and
   dropped by pytest-django); every poster types the captcha's real answer and posts over
   HTTPS through nginx. The profile's rate limits stay on; the test raises two in the
   profile's environment, and the report says so: COMMENTS_POST_RATE=100000/m (every
   poster comes from 127.0.0.1) and COMMENTS_MIN_FILL_SECONDS=0.
   With --direct, also tests/load/test_concurrent_posting.py at the same size, once on
   SQLite and once on PostgreSQL: two gunicorns by themselves over plain http, development
   settings (DJANGO_DEBUG=true, captcha test mode, local-memory cache), as this
   benchmark measured before.
   Prints requests/s, p50/p95 latency and the counts; fails when a test fails.
2. wrk -t2 -c20 -d10s --latency against
   (a) the anonymous article page straight from one gunicorn (config.wsgi),
   (b) the same bytes from a trivial Django view under the same gunicorn settings
       (bench/trivial_wsgi.py: the full Django handler, no database, no template),
   (c) the article page through nginx: the production profile (deploy/serve-prod),
   (d) nginx serving the same bytes as a static file.
   Gunicorn runs as in the profile (--workers 2 --threads 2) with production settings
   (DJANGO_DEBUG=false, Redis cache, PostgreSQL database `ondernemen`).
   Floors: (a)/(b) >= 0.5 and (c)/(d) >= 0.25.

Exit status 1 when the load test fails or a floor is missed.
"""

# Runs local tools (pytest, gunicorn, nginx, wrk) with fixed arguments; their logs stay
# open for the processes' lifetime.
# ruff: noqa: S603, S607, SIM115

import argparse
import datetime
import json
import os
import platform
import re
import shlex
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

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ARTICLE_PATH = "/nieuws/2012/05/10/drie-tips-voor-social-mediarichtlijnen/"
PROFILE_LOAD_TEST = (
    "tests/load/test_profile_under_load.py::test_posting_load_in_production_settings"
)
DIRECT_LOAD_TEST = "tests/load/test_concurrent_posting.py"
FLOOR_APP = 0.5  # (a)/(b)
FLOOR_PROXY = 0.25  # (c)/(d)
GUNICORN_SETTINGS = ["--workers", "2", "--threads", "2", "--keep-alive", "75"]


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent readers (50)")
    parser.add_argument("--posts", type=int, default=2000, help="posts in all (2000)")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/ondernemen_loadbench",
        help="DATABASE_URL for the PostgreSQL load runs; pytest-django uses test_<name>",
    )
    parser.add_argument(
        "--prod-database-url",
        default="postgres://postgres@127.0.0.1:5432/ondernemen",
        help="DATABASE_URL of the production profile for the wrk runs",
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--duration", default="10s", help="wrk -d (10s)")
    parser.add_argument("--connections", type=int, default=20, help="wrk -c (20)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (2)")
    parser.add_argument("--skip-load", action="store_true", help="no posting load")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="also the posting load straight to two gunicorns, development settings",
    )
    parser.add_argument("--skip-wrk", action="store_true", help="no wrk runs")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout, what, process=None, log=None):
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            tail = Path(log).read_text(errors="replace")[-3000:] if log else ""
            raise SystemExit(f"{what}: the process exited ({process.returncode})\n{tail}")
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def http_status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http://127.0.0.1
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def fetch(url, context=None):
    with urllib.request.urlopen(url, timeout=30, context=context) as response:  # noqa: S310
        return response.read()


def stop(process, timeout=30):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- 1. posting load ---------------------------------------------------------------


def run_load(key, name, database_url, args, workdir, test):
    report_file = workdir / f"load-{key}.json"
    environment = {**os.environ, "LOAD_CLIENTS": str(args.clients), "LOAD_POSTS": str(args.posts)}
    environment["LOAD_REPORT"] = str(report_file)
    environment.pop("DATABASE_URL", None)
    if database_url:
        environment["DATABASE_URL"] = database_url
    command = [str(VENV_BIN / "pytest"), test, "-q", "-p", "no:logging", "-x"]
    shown = (f"DATABASE_URL={database_url} " if database_url else "") + (
        f"LOAD_CLIENTS={args.clients} LOAD_POSTS={args.posts} " + shlex.join(command)
    )
    print(f"\n== posting load on {name}: {shown}", flush=True)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    wall = time.monotonic() - started
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    tail = result.stdout.strip().splitlines()[-1:] if result.stdout.strip() else []
    if result.returncode != 0:
        print(result.stdout[-6000:], result.stderr[-2000:], sep="\n")
    if report:
        latency = report["latency_ms"]
        print(
            f"   {report['requests']} requests in {report['seconds']} s: "
            f"{report['requests_per_second']} requests/s ({report['posts_per_second']} posts/s)\n"
            f"   latency form GET p50 {latency['form']['p50']} ms, p95 {latency['form']['p95']} ms;"
            f" POST p50 {latency['post']['p50']} ms, p95 {latency['post']['p95']} ms\n"
            f"   statuses {report['statuses']}\n"
            f"   accepted (302) {report['accepted']}, stored {report['stored']}, "
            f"refused {report['refused']} {report['refusal_reasons'] or ''}, "
            f"'database is locked' in logs: {report['database_is_locked_in_logs']}"
        )
        if "profile" in report:
            raised = " ".join(f"{k}={v}" for k, v in report["raised_in_profile"].items())
            print(
                f"   {report['profile']}\n"
                f"   raised in the profile's environment for this test: {raised}\n"
                f"   posts per app server (port: count) {report['posts_by_app_server']}; "
                f"form GET max {latency['form']['max']} ms, POST max {latency['post']['max']} ms"
            )
    print(f"   pytest: {' '.join(tail)} (exit {result.returncode}, {wall:.0f} s wall)")
    return {
        "command": shown,
        "passed": result.returncode == 0,
        "exit": result.returncode,
        "report": report,
    }


# --- 2. wrk ----------------------------------------------------------------------------


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: sudo apt-get install wrk")
    print("installing Debian's wrk", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("wrk")


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def parse_wrk(output):
    def number_with_unit(text):
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    figures = {"requests_per_second": rps}
    for percent in ("50", "75", "90", "99"):
        found = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M)
        if found:
            figures[f"p{percent}_ms"] = round(number_with_unit(found.group(1)), 2)
    total = re.search(r"(\d+) requests in", output)
    figures["requests"] = int(total.group(1)) if total else None
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non_2xx_3xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: (.*)", output)
    figures["socket_errors"] = errors.group(1).strip() if errors else None
    return figures


def run_wrk(wrk, label, url, args):
    base = [wrk, f"-t{args.threads}", f"-c{args.connections}"]
    subprocess.run([*base, "-d2s", url], capture_output=True, check=True)  # warm-up
    command = [*base, f"-d{args.duration}", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = parse_wrk(output)
    figures["command"] = shlex.join(command)
    print(
        f"   {label}: {figures['requests_per_second']:.0f} requests/s, "
        f"p50 {figures.get('p50_ms')} ms, p99 {figures.get('p99_ms')} ms, "
        f"non-2xx {figures['non_2xx_3xx']}"
        + (f", socket errors {figures['socket_errors']}" if figures["socket_errors"] else "")
        + f"\n      {figures['command']}",
        flush=True,
    )
    return figures


def production_environment(args, secret_key):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CAPTCHA_", "COMMENTS_", "LOAD_"))
    }
    environment.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": args.prod_database_url,
            "CACHE_URL": args.cache_url,
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    )
    return environment


def start_gunicorn(module, port, environment, log):
    command = [
        str(VENV_BIN / "gunicorn"),
        module,
        "--bind",
        f"127.0.0.1:{port}",
        *GUNICORN_SETTINGS,
        "--error-logfile",
        "-",
    ]
    if (
        "--no-control-socket"
        in subprocess.run([command[0], "--help"], capture_output=True, text=True).stdout
    ):
        command.append("--no-control-socket")
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=open(log, "wb"), stderr=subprocess.STDOUT
    )
    return process, shlex.join(command[1:])


STATIC_NGINX_CONF = """\
worker_processes auto;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    access_log {run}/access.log combined buffer=64k flush=1s;
    client_body_temp_path {run}/tmp; proxy_temp_path {run}/tmp; fastcgi_temp_path {run}/tmp;
    uwsgi_temp_path {run}/tmp; scgi_temp_path {run}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {run}/www;
        location / {{ default_type text/html; }}
    }}
}}
"""


def run_wrk_suite(args, workdir):
    wrk = ensure_wrk()
    results = {}
    processes = []
    try:
        # (c) first: deploy/serve-prod also creates and migrates the database and
        # collects the static files that (a) and (b) need.
        prod_run = workdir / "serve-prod"
        http_port, proxy_port = free_port(), free_port()
        app_ports = [free_port(), free_port()]
        serve_log = workdir / "serve-prod.log"
        environment = {
            **os.environ,
            "PORT": str(http_port),
            "HTTPS_PORT": str(proxy_port),
            "APP_PORTS": " ".join(map(str, app_ports)),
            "RUN_DIR": str(prod_run),
            "DATABASE_URL": args.prod_database_url,
            "CACHE_URL": args.cache_url,
        }
        print(
            f"\n== wrk (production profile: deploy/serve-prod with HTTPS_PORT={proxy_port} "
            f"APP_PORTS='{' '.join(map(str, app_ports))}' RUN_DIR={prod_run})",
            flush=True,
        )
        serve = subprocess.Popen(
            [str(ROOT / "deploy" / "serve-prod")],
            cwd=ROOT,
            env=environment,
            stdout=open(serve_log, "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(serve)
        wait_until(
            lambda: "serve-prod: ready" in serve_log.read_text(errors="replace"),
            300,
            "deploy/serve-prod",
            serve,
            serve_log,
        )
        # Through nginx over TLS, as readers come (the profile's own certificate).
        proxy_url = f"https://127.0.0.1:{proxy_port}{ARTICLE_PATH}"
        certificate = ssl.create_default_context(cafile=str(prod_run / "tls" / "cert.pem"))
        page = fetch(proxy_url, certificate)
        secret_key = (prod_run / "secret_key").read_text().strip()
        www = workdir / "static-nginx" / "www"
        (www / "page").mkdir(parents=True)
        (www / "page" / "index.html").write_bytes(page)
        page_file = workdir / "page.html"
        page_file.write_bytes(page)
        print(f"   article page: {len(page)} bytes", flush=True)

        results["c_nginx_page"] = run_wrk(wrk, "(c) article page via nginx", proxy_url, args)
        stop(serve)

        # (d) nginx serving the same bytes from a file.
        static_run = workdir / "static-nginx"
        (static_run / "tmp").mkdir()
        static_port = free_port()
        conf = static_run / "nginx.conf"
        conf.write_text(STATIC_NGINX_CONF.format(run=static_run, port=static_port))
        nginx = subprocess.Popen(
            [
                nginx_binary(),
                "-c",
                str(conf),
                "-p",
                f"{static_run}/",
                "-e",
                str(static_run / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(static_run / "stderr.log", "wb"),
        )
        processes.append(nginx)
        static_url = f"http://127.0.0.1:{static_port}/page/"
        wait_until(lambda: http_status(static_url) == 200, 30, "the static nginx", nginx)
        assert fetch(static_url) == page
        results["d_nginx_static"] = run_wrk(
            wrk, "(d) same bytes, nginx static file", static_url, args
        )
        stop(nginx)

        # (a) and (b): one gunicorn each, identical settings, production environment.
        environment = production_environment(args, secret_key)
        environment["BENCH_PAGE_FILE"] = str(page_file)
        for key, module, path, label in [
            ("a_gunicorn_page", "config.wsgi", ARTICLE_PATH, "(a) article page, one gunicorn"),
            (
                "b_gunicorn_trivial",
                "bench.trivial_wsgi",
                "/trivial/",
                "(b) trivial view, same bytes",
            ),
        ]:
            port = free_port()
            log = workdir / f"{key}.log"
            process, shown = start_gunicorn(module, port, environment, log)
            processes.append(process)
            url = f"http://127.0.0.1:{port}{path}"
            wait_until(lambda url=url: http_status(url) == 200, 60, label, process, log)
            if key == "b_gunicorn_trivial":
                assert fetch(url) == page
            results[key] = run_wrk(wrk, label, url, args)
            results[key]["server"] = "gunicorn " + shown
            stop(process)
    except BaseException:
        for log in sorted(workdir.rglob("*.log")):
            text = log.read_text(errors="replace").strip()
            if text:
                print(f"--- {log.relative_to(workdir)} (last lines)\n{text[-3000:]}")
        raise
    finally:
        for process in processes:
            stop(process)

    ratios = {
        "a_over_b": results["a_gunicorn_page"]["requests_per_second"]
        / results["b_gunicorn_trivial"]["requests_per_second"],
        "c_over_d": results["c_nginx_page"]["requests_per_second"]
        / results["d_nginx_static"]["requests_per_second"],
    }
    verdicts = {
        "a_over_b": ratios["a_over_b"] >= FLOOR_APP,
        "c_over_d": ratios["c_over_d"] >= FLOOR_PROXY,
    }
    print(
        f"\n   (a)/(b) = {ratios['a_over_b']:.3f}  floor {FLOOR_APP}: "
        f"{'PASS' if verdicts['a_over_b'] else 'FAIL'}\n"
        f"   (c)/(d) = {ratios['c_over_d']:.3f}  floor {FLOOR_PROXY}: "
        f"{'PASS' if verdicts['c_over_d'] else 'FAIL'}"
    )
    return {"figures": results, "ratios": ratios, "pass": verdicts}


def main():
    args = parse_arguments()
    os.chdir(ROOT)
    print(
        f"bench/load.py on {platform.node()}: {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"command: {shlex.join([sys.executable, *sys.argv])}",
        flush=True,
    )
    result = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="ondernemen-bench-load-") as temporary:
        workdir = Path(temporary)
        # nginx's workers (www-data when started as root) read and write below it.
        workdir.chmod(0o755)
        if not args.skip_load:
            result["load"] = {
                "profile_postgresql": run_load(
                    "profile_postgresql",
                    "the production profile (nginx, TLS) on PostgreSQL",
                    args.postgres_url,
                    args,
                    workdir,
                    PROFILE_LOAD_TEST,
                )
            }
            if args.direct:
                result["load"]["direct_sqlite"] = run_load(
                    "direct_sqlite",
                    "SQLite, direct (development settings)",
                    None,
                    args,
                    workdir,
                    DIRECT_LOAD_TEST,
                )
                result["load"]["direct_postgresql"] = run_load(
                    "direct_postgresql",
                    "PostgreSQL, direct (development settings)",
                    args.postgres_url,
                    args,
                    workdir,
                    DIRECT_LOAD_TEST,
                )
            failed |= not all(run["passed"] for run in result["load"].values())
        if not args.skip_wrk:
            result["wrk"] = run_wrk_suite(args, workdir)
            failed |= not all(result["wrk"]["pass"].values())
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"\n{'FAIL' if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
