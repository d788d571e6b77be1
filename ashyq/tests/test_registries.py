"""The registry client turns every broken answer into RegistryUnavailable (R-RG-3)."""

import socket
import threading

import pytest

from ashyq.registries import RegistryClient, RegistryUnavailable


@pytest.fixture
def garbage_server():
    """A server that answers every request with bytes that are not HTTP at all."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(4096)
            conn.sendall(b"\x00garbage, not HTTP\r\n\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/mock/"
    server.close()


def test_an_answer_that_is_not_http_is_a_transient_failure(garbage_server):
    with pytest.raises(RegistryUnavailable):
        RegistryClient("pcr", base_url=garbage_server, attempts=1).feed(since=None)
