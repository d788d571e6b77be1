"""The registry client keeps its connection alive from page to page (the sync's
speed, B3), and recovers when a server drops it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ashyq.registries import RegistryClient

PAGE = {"records": [], "next": "7", "more": False}


def serve(*, drop_after_each: bool):
    """A feed over HTTP/1.1 that counts the TCP connections it accepts."""
    connections = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            connections.append(self.client_address)

        def do_GET(self):  # noqa: N802 (http.server's name)
            body = json.dumps(PAGE).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            # Closed without saying so, as a server does to an idle keep-alive connection.
            self.close_connection = drop_after_each

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, connections


@pytest.fixture
def keep_alive_server():
    server, connections = serve(drop_after_each=False)
    yield f"http://127.0.0.1:{server.server_address[1]}/mock/", connections
    server.shutdown()


@pytest.fixture
def dropping_server():
    server, connections = serve(drop_after_each=True)
    yield f"http://127.0.0.1:{server.server_address[1]}/mock/", connections
    server.shutdown()


def test_pages_of_a_feed_come_over_one_connection(keep_alive_server):
    url, connections = keep_alive_server
    client = RegistryClient("pcr", base_url=url, attempts=1)

    pages = [client.feed(since=str(n), limit=5000) for n in range(5)]

    assert [page.next for page in pages] == ["7"] * 5
    assert len(connections) == 1


def test_a_connection_the_server_closed_is_opened_again_without_a_failed_attempt(dropping_server):
    # One attempt only: the second request must not fail on the dead connection.
    url, connections = dropping_server
    client = RegistryClient("pcr", base_url=url, attempts=1)

    pages = [client.feed(since=None) for _ in range(3)]

    assert [page.more for page in pages] == [False] * 3
    assert len(connections) == 3
