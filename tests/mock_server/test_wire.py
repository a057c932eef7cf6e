"""Network faults on a live server: what ``requests``, ``httpx`` and ``aiohttp`` each raise, and a retrying
client recovering. Delays and dribbles take real time by nature: every one here is tens of milliseconds."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import httpx
import pytest
import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from mock_server.state.faults import fault_problem
from mock_server.wire import delay_seconds
from tests.support import ANALYST, YESTERDAY, basic, url

TIMEOUT = 0.05
"""The clients' read timeout where a fault's timing is the point: shorter than every delay and pause below."""
PATIENT = 10.0
"""The read timeout elsewhere: a loaded machine must not turn a reset or a plain download into a timeout."""
TIMED = {"delay", "slow_body"}
"""The fault kinds met with the short timeout."""

KINDS = {
    "reset": ({}, requests.ConnectionError, httpx.ReadError, aiohttp.ClientOSError),
    "reset_mid_body": ({"after_bytes": 100}, requests.exceptions.ChunkedEncodingError, httpx.ReadError,
                       aiohttp.ClientPayloadError),
    "empty": ({}, requests.ConnectionError, httpx.RemoteProtocolError, aiohttp.ServerDisconnectedError),
    "truncate": ({"after_bytes": 100}, requests.exceptions.ChunkedEncodingError, httpx.RemoteProtocolError,
                 aiohttp.ClientPayloadError),
    "malformed_chunk": ({}, requests.exceptions.ChunkedEncodingError, httpx.RemoteProtocolError,
                        aiohttp.ClientResponseError),
    "garbage": ({}, requests.ConnectionError, httpx.RemoteProtocolError, aiohttp.ClientResponseError),
    "corrupt_gzip": ({}, requests.exceptions.ContentDecodingError, httpx.DecodingError, aiohttp.ClientPayloadError),
    "delay": ({"delay_ms": 150}, requests.ReadTimeout, httpx.ReadTimeout, aiohttp.SocketTimeoutError),
    "slow_body": ({"chunk_bytes": 1000, "interval_ms": 150}, requests.ConnectionError, httpx.ReadTimeout,
                  aiohttp.SocketTimeoutError),
}
"""Each fault kind: its parameters, and what requests, httpx and aiohttp raise on it."""


def _kind(name: str) -> str:
    return "reset" if name == "reset_mid_body" else name


def _requests(address: str, timeout: float) -> int:
    return len(requests.get(address, headers=basic(ANALYST), timeout=timeout).content)


def _httpx(address: str, timeout: float) -> int:
    return len(httpx.get(address, headers=basic(ANALYST), timeout=timeout).content)


def _aiohttp(address: str, timeout: float) -> int:
    async def fetch() -> int:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(sock_read=timeout)) as session, \
                session.get(address, headers=basic(ANALYST)) as response:
            response.raise_for_status()
            return len(await response.read())
    return asyncio.run(fetch())


CLIENTS = {"requests": (_requests, 1), "httpx": (_httpx, 2), "aiohttp": (_aiohttp, 3)}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("name", KINDS)
def test_each_network_fault_raises_what_the_client_raises_on_a_real_network(live, state, name, client):
    params, *raised = KINDS[name]
    call, column = CLIENTS[client]
    address = live.url + url(YESTERDAY)
    whole = call(address, PATIENT)
    # aiohttp retries an idempotent request once on a dropped connection by itself: two uses cover that retry
    fault = state.add_fault(None, 2, None, None, kind=_kind(name), params=params)
    with pytest.raises(raised[column - 1]):
        call(address, TIMEOUT if name in TIMED else PATIENT)
    assert state.faults() == () or state.faults()[0].remaining < fault.remaining
    state.clear_faults()
    assert call(address, PATIENT) == whole


def test_a_retrying_requests_session_recovers_from_each_cut(live, state):
    address = live.url + url(YESTERDAY)
    session = requests.Session()
    retry = Retry(total=4, connect=4, read=4, backoff_factor=0, allowed_methods={"GET"})
    session.mount("http://", HTTPAdapter(max_retries=retry))
    whole = session.get(address, headers=basic(ANALYST), timeout=1).content
    for kind in ("reset", "empty", "garbage"):
        state.add_fault(None, 2, None, None, kind=kind)
        assert session.get(address, headers=basic(ANALYST), timeout=1).content == whole
        assert state.faults() == ()


def test_tenacity_retries_through_body_faults_and_timeouts(live, state):
    address = live.url + url(YESTERDAY)
    whole = _httpx(address, PATIENT)
    retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(8), reraise=True,
                                 retry=tenacity.retry_if_exception_type((httpx.TransportError, httpx.DecodingError)))
    state.add_fault(None, 1, None, None, kind="truncate", params={"after_bytes": 10})
    state.add_fault(None, 1, None, None, kind="reset", params={"after_bytes": 10})
    state.add_fault(None, 1, None, None, kind="malformed_chunk")
    state.add_fault(None, 1, None, None, kind="delay", params={"delay_ms": 1000})
    state.add_fault(None, 1, None, None, kind="corrupt_gzip")
    attempts = []
    for attempt in retrying:
        with attempt:
            attempts.append(1)
            assert _httpx(address, 0.4) == whole  # shorter than the delay, long for a loaded machine
    assert len(attempts) == 6 and state.faults() == ()


def test_status_and_network_faults_queue_oldest_first(live, state):
    address = live.url + url(YESTERDAY)
    state.add_fault(503, 1)
    state.add_fault(None, 1, None, None, kind="empty")
    assert requests.get(address, headers=basic(ANALYST), timeout=1).status_code == 503
    with pytest.raises(requests.ConnectionError):
        requests.get(address, headers=basic(ANALYST), timeout=1)
    assert requests.get(address, headers=basic(ANALYST), timeout=1).status_code == 200
    assert [entry["error"] for entry in state.journal.entries()] == ["rawlogs.unavailable", "fault.empty", None]


def test_method_and_login_narrow_the_match(live, state):
    address = live.url + url(YESTERDAY)
    state.add_fault(None, 1, None, None, kind="empty", method="HEAD", login="someone-else")
    assert requests.get(address, headers=basic(ANALYST), timeout=1).status_code == 200
    assert requests.head(address, headers=basic(ANALYST), timeout=1).status_code == 200
    assert requests.get(address, headers=basic("someone-else", "x"), timeout=1).status_code == 401
    assert len(state.faults()) == 1
    with pytest.raises(requests.ConnectionError):  # the HEAD with that login (checked or not) meets it
        requests.head(address, headers=basic("someone-else", "x"), timeout=1)
    assert state.faults() == ()


def test_probability_skips_some_matching_requests_deterministically(state):
    fault = state.add_fault(None, 1000, None, None, kind="empty", probability=0.3)
    met = sum(state.take_fault("/restapi/rawlogs/03-03-2026.csv") is not None for _ in range(200))
    assert 30 <= met <= 90  # about 60 of 200; the draws are seeded, so the count is the same on every run
    assert state.faults()[0].remaining == fault.times - met


def test_delay_distributions_are_seeded_and_bounded(state):
    uniform = state.add_fault(None, 5, None, None, kind="delay",
                              params={"delay_ms": 10, "distribution": "uniform", "max_delay_ms": 30})
    lognormal = state.add_fault(None, 5, None, None, kind="delay",
                                params={"delay_ms": 10, "distribution": "lognormal", "sigma": 3, "max_delay_ms": 50})
    assert 0.010 <= delay_seconds(uniform, 7) <= 0.030
    assert delay_seconds(uniform, 7) == delay_seconds(uniform, 7)
    draws = {delay_seconds(lognormal, seed) for seed in range(50)}
    assert max(draws) == 0.050 and min(draws) < 0.010  # capped above, spread below the median
    assert delay_seconds(state.add_fault(None, 1, None, None, kind="delay"), 0) == 0.1


@pytest.mark.parametrize(("fields", "bad"), [
    ({"kind": "teleport"}, "kind"),
    ({"kind": "status"}, "status"),
    ({"kind": "delay", "status": 503}, "status"),
    ({"kind": "delay", "params": {"delay_ms": 60_001}}, "delay_ms"),
    ({"kind": "delay", "params": {"distribution": "normal"}}, "distribution"),
    ({"kind": "delay", "params": {"sigma": True}}, "sigma"),
    ({"kind": "delay", "params": {"after_bytes": 1}}, "after_bytes"),
    ({"kind": "empty", "probability": 0}, "probability"),
    ({"kind": "empty", "probability": float("nan")}, "probability"),
    ({"kind": "empty", "method": "DELETE"}, "method"),
    ({"kind": "empty", "login": ""}, "login"),
    ({"kind": "truncate", "params": {"after_bytes": 65_537}}, "after_bytes"),
])
def test_the_validator_names_the_first_bad_field(fields, bad):
    status = fields.pop("status", None)
    assert fault_problem(status, 1, None, None, **fields)[0] == bad


def test_the_control_api_takes_network_faults(client, state):
    body = {"kind": "slow_body", "chunkBytes": 5, "intervalMs": 20, "method": "GET", "probability": 0.5}
    made = client.post("/_mock/faults", json=body).get_json()
    assert made["kind"] == "slow_body" and made["params"] == {"chunkBytes": 5, "intervalMs": 20}
    assert made["method"] == "GET" and made["probability"] == 0.5 and made["status"] is None
    refused = client.post("/_mock/faults", json={"kind": "delay", "chunkBytes": 5}).get_json()
    assert refused["error"] == "mock.bad_field" and refused["args"]["field"] == "chunkBytes"


def test_a_slow_body_arrives_whole_at_its_pace(live, state):
    address = live.url + url(YESTERDAY)
    whole = _requests(address, PATIENT)
    state.add_fault(None, 1, None, None, kind="slow_body", params={"chunk_bytes": whole // 3 + 1, "interval_ms": 20})
    started = time.perf_counter()
    assert len(requests.get(address, headers=basic(ANALYST), timeout=1).content) == whole
    assert time.perf_counter() - started >= 0.04  # two pauses between three writes
