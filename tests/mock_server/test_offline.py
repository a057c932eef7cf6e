"""In-process interception of every common client (requests, httpx sync and async, aiohttp, urllib), beside
the test's own responses / respx / aioresponses mocks, with network faults raised as the client would raise."""

from __future__ import annotations

import asyncio
import base64
import importlib
import urllib.error
import urllib.request

import aiohttp
import httpx
import pytest
import requests
import responses
import respx
from aioresponses import aioresponses

from mock_server.config import parse_config
from mock_server.testing import intercept
from tests.support import ANALYST, CONFIG_TOML, T0, YESTERDAY, url

intercept_module = importlib.import_module("mock_server.testing.intercept")  # the package exports its function
PASSWORD = "analyst-pw"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{ANALYST}:{PASSWORD}".encode()).decode()}
ADDRESS = "https://app.jaicp.com" + url(YESTERDAY)


@pytest.fixture
def mock():
    with intercept(parse_config(CONFIG_TOML, "t.toml"), now=T0) as handle:
        handle.clock.freeze()
        yield handle


def _aiohttp(address: str = ADDRESS) -> tuple[int, bytes]:
    async def fetch() -> tuple[int, bytes]:
        async with aiohttp.ClientSession() as session, session.get(address, headers=AUTH) as response:
            return response.status, await response.read()
    return asyncio.run(fetch())


def _httpx_async(address: str = ADDRESS) -> tuple[int, bytes]:
    async def fetch() -> tuple[int, bytes]:
        async with httpx.AsyncClient() as client:
            response = await client.get(address, headers=AUTH)
            return response.status_code, response.content
    return asyncio.run(fetch())


def _urllib(address: str = ADDRESS) -> tuple[int, bytes]:
    with urllib.request.urlopen(urllib.request.Request(address, headers=AUTH)) as response:
        return response.status, response.read()


CLIENTS = {
    "requests": lambda: (lambda r: (r.status_code, r.content))(requests.get(ADDRESS, headers=AUTH)),
    "httpx": lambda: (lambda r: (r.status_code, r.content))(httpx.get(ADDRESS, headers=AUTH)),
    "httpx-async": _httpx_async,
    "aiohttp": _aiohttp,
    "urllib": _urllib,
}


def test_every_covered_client_is_named(mock):
    assert mock.clients == ("requests", "httpx", "aiohttp", "urllib")


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_downloads_in_process(mock, client):
    assert CLIENTS[client]() == (200, mock.expected_bytes(YESTERDAY))
    assert mock.requests[-1]["login"] == ANALYST


@pytest.mark.parametrize("client", CLIENTS)
def test_a_cut_connection_raises_what_the_client_raises(mock, client):
    mock.add_network_fault("reset", times=1)
    raised = {"requests": requests.ConnectionError, "httpx": httpx.RemoteProtocolError,
              "httpx-async": httpx.RemoteProtocolError, "aiohttp": aiohttp.ServerDisconnectedError,
              "urllib": urllib.error.URLError}[client]
    with pytest.raises(raised):
        CLIENTS[client]()


def test_a_users_own_responses_mock_lives_beside_it(mock):
    with responses.RequestsMock() as theirs:
        theirs.get("https://api.example.com/items", json={"items": [1]})
        assert requests.get("https://api.example.com/items").json() == {"items": [1]}
        assert requests.get(ADDRESS, headers=AUTH).content == mock.expected_bytes(YESTERDAY)
        with pytest.raises(requests.ConnectionError):  # theirs still refuses what it does not know
            requests.get("https://api.example.com/other")


def test_a_users_own_respx_mock_lives_beside_it(mock):
    with respx.mock(assert_all_called=False) as theirs:
        theirs.get("https://api.example.com/items").respond(json={"items": [2]})
        assert httpx.get("https://api.example.com/items").json() == {"items": [2]}
        assert httpx.get(ADDRESS, headers=AUTH).content == mock.expected_bytes(YESTERDAY)
        assert _httpx_async() == (200, mock.expected_bytes(YESTERDAY))


def test_a_users_own_aioresponses_mock_lives_beside_it(mock):
    with aioresponses() as theirs:
        theirs.get("https://api.example.com/items", payload={"items": [3]},
                   response_class=intercept_module.aiohttp_response_class(aiohttp))  # aioresponses issue 289

        async def theirs_call() -> dict:
            async with aiohttp.ClientSession() as session, session.get("https://api.example.com/items") as answer:
                return await answer.json()

        assert asyncio.run(theirs_call()) == {"items": [3]}
        assert _aiohttp() == (200, mock.expected_bytes(YESTERDAY))


def test_other_hosts_still_reach_the_network_layer(mock, live):
    assert requests.get(live.url + "/_mock/health").status_code == 200
    assert _urllib(live.url + "/_mock/health")[0] == 200


def test_a_client_without_its_mocking_library_is_named_at_set_up(monkeypatch):
    real = intercept_module.importlib.util.find_spec
    monkeypatch.setattr(intercept_module.importlib.util, "find_spec",
                        lambda name: None if name == "respx" else real(name))
    with pytest.raises(ImportError, match=r"httpx needs respx.*pip install"), intercept():
        pass
