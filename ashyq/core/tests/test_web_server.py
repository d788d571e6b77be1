"""gunicorn as the image runs it keeps a connection alive between requests (gthread
workers, --keep-alive): the sync worker closed every connection after its answer, so
each guard look-up paid a new connection. The bench stack and the production guide
run it alike (docs/production.md says what the proxy in front must do)."""

import http.client
import os
import re
import shlex
import socket
import subprocess
import sys
import time

from django.conf import settings


def _image_command() -> list[str]:
    """The Dockerfile's CMD with its variables at their defaults."""
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    command = re.search(r'^CMD \["sh", "-c", "exec (.+)"\]$', dockerfile, re.M)[1]
    return shlex.split(re.sub(r"\$\{\w+:-([^}]+)\}", r"\1", command))


def test_the_image_the_bench_and_the_guide_run_gthread_workers_with_keep_alive():
    command = _image_command()
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert int(command[command.index("--threads") + 1]) > 1
    assert int(command[command.index("--keep-alive") + 1]) > 60  # above nginx's upstream default idle time
    stack = (settings.BASE_DIR / "bench" / "stack.sh").read_text()
    # gthread unless a comparison run asks for another class (BENCHMARKS.md's A/B).
    assert 'WEB_WORKER_CLASS="${WEB_WORKER_CLASS:-gthread}"' in stack
    assert '--worker-class "$WEB_WORKER_CLASS" --threads "$WEB_THREADS" --keep-alive' in stack
    guide = (settings.BASE_DIR / "docs" / "production.md").read_text()
    assert "--worker-class gthread --threads 4 --keep-alive 75" in guide
    assert 'proxy_set_header Connection "";' in guide


def test_two_requests_share_one_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = _image_command()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ashyq.settings")}
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our own application)
        [sys.executable, "-m", *command, "--log-level", "warning"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        peers = []
        for _ in range(3):
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b"ok")
            assert response.getheader("Connection", "").lower() != "close"
            peers.append(connection.sock.getsockname())  # the same local port: one connection
        assert len(set(peers)) == 1
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
