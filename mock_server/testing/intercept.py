"""In-process interception: ``requests`` (through ``responses``) and ``httpx`` (through ``respx``) calls to the
platform's hosts are answered by the app, without a socket."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask

from mock_server.config import MockConfig
from mock_server.context import state_of
from mock_server.testing.apps import build_app
from mock_server.testing.handle import JaicpMock

DEFAULT_HOSTS = ("app.jaicp.com",)


def _host_pattern(hosts: Iterable[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(host) for host in hosts)
    return re.compile(rf"^https?://(?:{names})(?::\d+)?(?:/|$)", re.IGNORECASE)


def _dispatch(app: Flask, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes | None
              ) -> tuple[int, list[tuple[str, str]], bytes]:
    """Answer one intercepted request with the app, in-process."""
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    forwarded = [(name, value) for name, value in headers if name.lower() not in ("host", "content-length")]
    with app.test_client() as client:
        response = client.open(parts.path or "/", method=method.upper(), query_string=parts.query, headers=forwarded,
                               data=body or b"", base_url=f"{scheme}://{parts.netloc}",
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
        data = response.get_data()
        return response.status_code, list(response.headers.items()), data


@contextlib.contextmanager
def intercept(config: MockConfig | None = None, *, app: Flask | None = None, hosts: Iterable[str] = DEFAULT_HOSTS,
              now: datetime | str | None = None) -> Iterator[JaicpMock]:
    """Answer ``requests`` and ``httpx`` calls to ``hosts`` with the app, without a socket.

    Calls to any other host go through to the network as usual (a live mock on 127.0.0.1 included).
    ``responses`` intercepts ``requests``; ``respx`` intercepts ``httpx``.
    """
    import httpx
    import responses
    import respx

    hosts = tuple(hosts)
    own_app = app is None
    app = app or build_app(config, now=now)
    pattern = _host_pattern(hosts)

    def answer_requests(request) -> tuple[int, dict, bytes]:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        status, headers, data = _dispatch(app, request.method, request.url, request.headers.items(), body)
        merged: dict[str, str] = {}
        for name, value in headers:
            if name.lower() != "content-length":
                merged[name] = value if name not in merged else f"{merged[name]}, {value}"
        return status, merged, data

    def answer_httpx(request: httpx.Request) -> httpx.Response:
        status, headers, data = _dispatch(app, request.method, str(request.url), request.headers.multi_items(),
                                          request.read())
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        return httpx.Response(status, headers=kept, content=data)

    requests_mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    requests_mock.add_passthru(re.compile(rf"^(?!{pattern.pattern[1:]})"))
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        requests_mock.add_callback(method, pattern, callback=answer_requests)
    httpx_mock = respx.mock(assert_all_called=False, assert_all_mocked=False)
    try:
        with requests_mock, httpx_mock:
            for host in hosts:
                httpx_mock.route(host=host).mock(side_effect=answer_httpx)
            httpx_mock.route().pass_through()
            yield JaicpMock.of_app(app, f"https://{hosts[0]}")
    finally:
        if own_app:
            state_of(app).close()
