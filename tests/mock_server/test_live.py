"""Over a real socket (waitress in a thread, ``requests`` as the client): a few rules, and concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.config import parse_config
from mock_server.live import LiveServer
from tests.support import ACCOUNT, ANALYST, CONFIG_TOML, PASSWORDS, T0, YESTERDAY, run_url, url

AUTH = (ANALYST, PASSWORDS[ANALYST])


def test_download_and_errors_over_a_socket(live, state):
    with requests.Session() as http:
        response = http.get(live.url + url(YESTERDAY), auth=AUTH)
        assert response.status_code == 200
        assert response.content == state.expected_bytes(ACCOUNT, YESTERDAY, 1)
        assert response.headers["Content-Disposition"] == 'attachment; filename="03-03-2026.csv"'

        unauthorized = http.get(live.url + url(YESTERDAY), auth=(ANALYST, "wrong"))
        assert unauthorized.status_code == 401
        assert unauthorized.headers["WWW-Authenticate"] == 'Basic realm="JAICP"'
        assert unauthorized.json()["error"] == "rawlogs.unauthorized"

        hostile = http.get(live.url + "/restapi/rawlogs/..%2F..%2Fetc%2Fpasswd", auth=AUTH)
        assert hostile.status_code in (400, 404) and hostile.json()["error"].startswith("rawlogs.")

        cached = http.get(live.url + url(YESTERDAY), auth=AUTH, headers={"If-None-Match": response.headers["ETag"]})
        assert cached.status_code == 304 and cached.content == b""
        part = http.get(live.url + url(YESTERDAY), auth=AUTH, headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and part.content == response.content[:100]
        head = http.head(live.url + url(YESTERDAY), auth=AUTH)
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["Content-Length"]) == len(response.content)


def test_schedule_and_regeneration_edges_over_a_socket(live, state):
    with requests.Session() as http:
        http.post(live.url + "/_mock/clock", json={"now": "2026-03-05T00:00:59Z"})
        assert http.get(live.url + url(YESTERDAY.replace(day=4)), auth=AUTH).status_code == 404
        http.post(live.url + "/_mock/clock", json={"advanceSeconds": 1})
        assert http.get(live.url + url(YESTERDAY.replace(day=4)), auth=AUTH).status_code == 200

        accepted = http.post(live.url + run_url(YESTERDAY), auth=("admin", PASSWORDS["admin"]))
        assert accepted.status_code == 202
        assert accepted.json()["readyAt"] == "2026-03-05T00:11:00Z"
        http.post(live.url + "/_mock/clock", json={"advanceSeconds": 599})
        assert http.get(live.url + url(YESTERDAY), auth=AUTH).headers["X-Rawlogs-Version"] == "1"
        http.post(live.url + "/_mock/clock", json={"advanceSeconds": 1})
        landed = http.get(live.url + url(YESTERDAY), auth=AUTH)
        assert landed.headers["X-Rawlogs-Version"] == "2"
        assert landed.content == state.expected_bytes(ACCOUNT, YESTERDAY, 2)


def test_the_control_api_over_a_socket_is_loopback(live):
    assert requests.get(live.url + "/_mock/health").status_code == 200


def test_parallel_downloads_while_a_regeneration_lands_get_whole_files(tmp_path):
    """20 clients download over and over while version 2 lands: each body is all of v1 or all of v2, and once
    a client has seen v2 it never sees v1 again."""
    config = parse_config(CONFIG_TOML.replace("sessions_per_day = 6", "sessions_per_day = 120", 1))
    app = create_app(config, data_dir=tmp_path, clock=Clock(T0, frozen=True))
    state = state_of(app)
    old, new = state.expected_bytes(ACCOUNT, YESTERDAY, 1), state.expected_bytes(ACCOUNT, YESTERDAY, 2)
    assert old != new and len(old) > 50_000
    clients = 20
    start = threading.Barrier(clients + 1)

    def client(_: int) -> list[tuple[str, bytes]]:
        seen = []
        with requests.Session() as http:
            first = http.get(server.url + url(YESTERDAY), auth=AUTH)
            seen.append((first.headers["X-Rawlogs-Version"], first.content))
            start.wait(timeout=30)
            for _ in range(6):
                response = http.get(server.url + url(YESTERDAY), auth=AUTH)
                assert response.status_code == 200
                assert int(response.headers["Content-Length"]) == len(response.content)
                seen.append((response.headers["X-Rawlogs-Version"], response.content))
        return seen

    try:
        with LiveServer(app, threads=8) as server:
            assert state.regenerate(ACCOUNT, YESTERDAY, force=True).version == 2
            with ThreadPoolExecutor(clients) as pool:
                futures = [pool.submit(client, index) for index in range(clients)]
                start.wait(timeout=30)
                state.clock.advance(timedelta(minutes=10))  # version 2 lands while the clients download
                results = [future.result(timeout=60) for future in futures]
            final = requests.get(server.url + url(YESTERDAY), auth=AUTH)
    finally:
        state.close()

    for seen in results:
        versions = [version for version, _ in seen]
        assert versions[0] == "1"
        assert versions == sorted(versions)  # never back from 2 to 1
        for version, body in seen:
            assert body == (old if version == "1" else new)
    assert final.content == new
