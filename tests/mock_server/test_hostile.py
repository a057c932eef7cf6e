"""What an attacker tried, each a regression test: raw bytes on the socket (bounded fuzz), no Host, "//" paths,
OPTIONS, idle and slow connections, and every answer the app gives being the JSON envelope."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mock_server.live import CONNECTION_LIMIT
from tests.support import ANALYST, YESTERDAY, assert_envelope, basic, url


def raw(live, data: bytes, timeout: float = 2.0) -> bytes:
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)  # no half-close: waitress takes a client that shuts its side as gone (README)
        chunks = []
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks)


def test_an_http11_request_without_host_is_a_400_envelope(live):
    answer = raw(live, f"GET {url(YESTERDAY)} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and json.loads(body)["error"] == "rawlogs.bad_request"


def test_a_double_slash_is_an_unknown_path_not_a_redirect(client):
    assert_envelope(client.get("//restapi/rawlogs/03-03-2026.csv", headers=basic(ANALYST)), 404, "rawlogs.not_found")


@pytest.mark.parametrize("path", ["/_mock/clock", "/_mock/faults", url(YESTERDAY)])
def test_options_is_a_405_envelope(client, path):
    answer = client.options(path)
    assert answer.status_code == 405 and answer.is_json and "OPTIONS" not in answer.headers["Allow"]


def test_raw_socket_fuzz_never_gets_a_500_and_the_server_keeps_answering(live):
    """A bounded form of the 2,000-case run: 150 seeded mutations of a valid request."""
    draw = random.Random(11)
    valid = f"GET {url(YESTERDAY)} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YQ==\r\nConnection: close\r\n\r\n"
    cases = []
    for _ in range(150):
        data = bytearray(valid.encode())
        for _ in range(draw.randint(1, 6)):
            position = draw.randrange(len(data))
            action = draw.choice(("flip", "insert", "delete"))
            if action == "flip":
                data[position] = draw.randrange(256)
            elif action == "insert":
                data[position:position] = bytes(draw.randrange(256) for _ in range(draw.randint(1, 8)))
            else:
                del data[position:position + draw.randint(1, 8)]
        cases.append(bytes(data))
    with ThreadPoolExecutor(10) as pool:  # a case the server waits on (an unfinished request) times out at 0.5 s
        answers = list(pool.map(lambda data: raw(live, data, timeout=0.5), cases))
    statuses = [int(answer[9:12]) if answer[9:12].isdigit() else 0 for answer in answers if answer]
    assert statuses and 500 not in statuses and all(status < 600 for status in statuses)
    assert len(set(statuses)) >= 3  # the mutations reached several kinds of answer
    assert requests.get(live.url + url(YESTERDAY), headers=basic(ANALYST), timeout=2).status_code == 200


def test_idle_connections_do_not_block_new_requests(live):
    host, port = live.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(120)]  # more than waitress's default 100
    try:
        started = time.perf_counter()
        assert requests.get(live.url + "/_mock/health", timeout=2).status_code == 200
        assert time.perf_counter() - started < 1.5
    finally:
        for sock in idle:
            sock.close()
    assert CONNECTION_LIMIT >= 1000
