"""A deploy reloads the app servers without a failed request.

The systemd unit reloads gunicorn with SIGHUP (deploy/systemd/ondernemen-web.service):
new workers start with the new code while the old ones finish their requests. Here one
real app server is reloaded twice while readers keep asking for pages.
"""

import signal
import threading
import urllib.error
import urllib.request

import pytest

from tests.load.test_concurrent_posting import AppServer
from tests.processes import wait_for

READERS = 6
REQUESTS_EACH = 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reloading_an_app_server_under_load_fails_no_request(seed_article, tmp_path):
    server = AppServer(tmp_path / "gunicorn.log")
    statuses, errors = [], []
    lock = threading.Lock()
    try:
        wait_for(server.poll_ready, 60, "the app server")
        paths = [seed_article.get_absolute_url(), "/", "/robots.txt"]
        halfway = threading.Barrier(READERS + 1)

        def read(number):
            for request in range(REQUESTS_EACH):
                if request == REQUESTS_EACH // 3:
                    halfway.wait(timeout=60)
                url = server.base + paths[(number + request) % len(paths)]
                try:
                    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                    with lock:
                        errors.append(repr(error))
                    continue
                with lock:
                    statuses.append(status)

        readers = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
        for reader in readers:
            reader.start()
        halfway.wait(timeout=60)  # every reader is in the middle of its requests
        server.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "Handling signal: hup" in server.log_text(), 30, "the reload")
        server.process.send_signal(signal.SIGHUP)
        for reader in readers:
            reader.join(timeout=120)
    finally:
        server.stop()
    assert errors == []
    assert len(statuses) == READERS * REQUESTS_EACH
    assert set(statuses) == {200}
    assert server.log_text().count("Handling signal: hup") == 2
