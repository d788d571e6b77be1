"""The HTTP SMS gateway backend, against a real HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ashyq.sms.backends import HttpGatewayBackend, SmsGatewayError


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    _Gateway.received, _Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    yield _Gateway
    server.shutdown()
    server.server_close()


def test_sends_phone_and_text_with_the_token(gateway):
    HttpGatewayBackend().send("+77011234567", "Ashyq: 123456")
    assert gateway.received == [("Bearer t0ken", {"phone": "+77011234567", "text": "Ashyq: 123456"})]


def test_a_5xx_answer_is_a_gateway_error(gateway):
    gateway.status = 503
    with pytest.raises(SmsGatewayError):
        HttpGatewayBackend().send("+77011234567", "Ashyq: 123456")


def test_an_unreachable_gateway_is_a_gateway_error(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    with pytest.raises(SmsGatewayError):
        HttpGatewayBackend().send("+77011234567", "Ashyq: 123456")
