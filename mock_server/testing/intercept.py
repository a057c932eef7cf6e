"""In-process interception: calls to the platform's hosts are answered by the app, without a socket.

Covered clients, each through the mocking library made for it: ``requests`` (``responses``), ``httpx`` sync and
async (``respx``), ``aiohttp`` (``aioresponses``) and ``urllib.request`` (an opener handler; the standard library
needs nothing). A client is covered when its mocking library is installed (all are dependencies of jaicp-mock);
when a client is importable but its mocking library is not, set-up fails and names the package, rather than let
that client's calls go out to the real platform with test credentials.

A test's own ``responses`` / ``respx`` / ``aioresponses`` mocks live beside it: while the interception is on,
any of their mocks sends the platform's hosts to the app (the class's matching step is wrapped for the
duration), and answers everything else from its own routes. Network faults that cut a connection raise, in
process, the exception the client raises on a real cut (:data:`CUT_ERRORS`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import re
import types
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from email.message import Message
from typing import Any
from urllib.parse import urlsplit
from urllib.response import addinfourl

from flask import Flask

from mock_server.config import MockConfig
from mock_server.context import state_of
from mock_server.testing.apps import build_app
from mock_server.testing.handle import JaicpMock
from mock_server.wire import WireFault

DEFAULT_HOSTS = ("app.jaicp.com",)
MOCKING = {"requests": "responses", "httpx": "respx", "aiohttp": "aioresponses"}
"""Each client and the library that intercepts it."""

Answer = tuple[int, list[tuple[str, str]], bytes]


def _host_pattern(hosts: Iterable[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(host) for host in hosts)
    return re.compile(rf"^https?://(?:{names})(?::\d+)?(?:/|$)", re.IGNORECASE)


def _dispatch(app: Flask, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes | None) -> Answer:
    """Answer one intercepted request with the app, in-process (a cut connection raises WireFault)."""
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    forwarded = [(name, value) for name, value in headers if name.lower() not in ("host", "content-length")]
    with app.test_client() as client:
        response = client.open(parts.path or "/", method=method.upper(), query_string=parts.query, headers=forwarded,
                               data=body or b"", base_url=f"{scheme}://{parts.netloc}",
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
        data = response.get_data()
        return response.status_code, list(response.headers.items()), data


def covered_clients() -> tuple[str, ...]:
    """The clients this environment can intercept; raises ImportError naming what a present client lacks."""
    missing = [f"{client} needs {library}" for client, library in MOCKING.items()
               if importlib.util.find_spec(client) is not None and importlib.util.find_spec(library) is None]
    if missing:
        raise ImportError(f"jaicp_offline cannot intercept every installed client ({'; '.join(missing)}): "
                          f"pip install 'jaicp-mock' brings them, or pip install {' '.join(MOCKING.values())}")
    return (*(client for client in MOCKING if importlib.util.find_spec(client) is not None), "urllib")


def _unfolded(headers: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        if name.lower() != "content-length":
            merged[name] = value if name not in merged else f"{merged[name]}, {value}"
    return merged


@contextlib.contextmanager
def _wrapped(owner: type, name: str, wrapper: Callable[[Callable], Callable]) -> Iterator[None]:
    """Replace ``owner.name`` by ``wrapper(original)`` for the block."""
    original = getattr(owner, name)
    setattr(owner, name, wrapper(original))
    try:
        yield
    finally:
        setattr(owner, name, original)


def _requests(answer: Callable[..., Answer], pattern: re.Pattern[str], stack: contextlib.ExitStack) -> None:
    import requests
    import responses

    def callback(request: Any) -> tuple[int, dict, bytes]:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        try:
            status, headers, data = answer(request.method, request.url, request.headers.items(), body)
        except WireFault as fault:
            raise requests.ConnectionError(f"jaicp-mock network fault: {fault.kind}", request=request) from None
        return status, _unfolded(headers), data

    ours = responses.RequestsMock(assert_all_requests_are_fired=False)
    ours.add_passthru(re.compile(rf"^(?!{pattern.pattern[1:]})"))
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        ours.add_callback(method, pattern, callback=callback)

    def beside(original: Callable) -> Callable:
        def _on_request(self: Any, adapter: Any, request: Any, **kwargs: Any) -> Any:
            mine = self is not ours and pattern.match(request.url or "")
            return original(ours if mine else self, adapter, request, **kwargs)
        return _on_request

    stack.enter_context(_wrapped(responses.RequestsMock, "_on_request", beside))
    stack.enter_context(ours)


def _httpx(answer: Callable[..., Answer], pattern: re.Pattern[str], hosts: tuple[str, ...],
           stack: contextlib.ExitStack) -> None:
    import httpx
    import respx

    def side_effect(request: httpx.Request) -> httpx.Response:
        try:
            status, headers, data = answer(request.method, str(request.url), request.headers.multi_items(),
                                           request.read())
        except WireFault as fault:
            raise httpx.RemoteProtocolError(f"jaicp-mock network fault: {fault.kind}", request=request) from None
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        return httpx.Response(status, headers=kept, content=data)

    ours = respx.mock(assert_all_called=False, assert_all_mocked=False)

    def beside(original: Callable) -> Callable:
        def resolve(self: Any, request: httpx.Request) -> Any:
            return original(ours if self is not ours and pattern.match(str(request.url)) else self, request)
        return resolve

    stack.enter_context(_wrapped(respx.Router, "resolve", beside))
    stack.enter_context(_wrapped(respx.Router, "aresolve", beside))
    stack.enter_context(ours)
    for host in hosts:
        ours.route(host=host).mock(side_effect=side_effect)

    def elsewhere(request: httpx.Request) -> httpx.Request:
        """Another host: the test's own respx router (tried after ours) answers it, else the network."""
        if len(respx.mocks.HTTPCoreMocker.routers) > 1:
            raise respx.models.AllMockedAssertionError(f"{request!r}: not a platform host")
        return request  # respx's way of passing a request through

    ours.route().mock(side_effect=elsewhere)


def _aiohttp(answer: Callable[..., Answer], pattern: re.Pattern[str], stack: contextlib.ExitStack) -> None:
    import aiohttp
    from aioresponses import CallbackResult, aioresponses

    def callback(url: Any, **kwargs: Any) -> CallbackResult:
        data = kwargs.get("data")
        body = data.encode() if isinstance(data, str) else (data if isinstance(data, bytes) else None)
        headers = [(str(name), str(value)) for name, value in dict(kwargs.get("headers") or {}).items()]
        auth = kwargs.get("auth")
        if auth is not None:
            headers.append(("Authorization", auth.encode()))
        try:
            status, answered, content = answer(kwargs.get("method", "GET"), str(url), headers, body)
        except WireFault as fault:
            raise aiohttp.ServerDisconnectedError(f"jaicp-mock network fault: {fault.kind}") from None
        return CallbackResult(status=status, headers=_unfolded(answered), body=content, response_class=response_class,
                              content_type=dict(answered).get("Content-Type", "application/octet-stream"))

    response_class = aiohttp_response_class(aiohttp)

    ours = aioresponses()  # never started (its patch cannot nest): our plain patch below sends it our hosts
    ours._responses, ours._matches = [], {}  # what its start() sets up, without the patch
    stack.callback(_close_all, ours._responses)
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        ours.add(pattern, method=method, callback=_with_method(callback, method), repeat=True)

    def request_beside(original: Callable) -> Callable:
        async def _request(session: Any, method: str, address: Any, *args: Any, **kwargs: Any) -> Any:
            if pattern.match(str(session._build_url(address))):
                return await ours._request_mock(session, method, address, *args, **kwargs)
            return await original(session, method, address, *args, **kwargs)
        return _request

    def match_beside(original: Callable) -> Callable:
        async def match(self: Any, method: str, url: Any, allow_redirects: bool = True, **kwargs: Any) -> Any:
            mine = self is not ours and pattern.match(str(url))
            return await original(ours if mine else self, method, url, allow_redirects, **kwargs)
        return match

    # A plain function, not a mock: a test's own aioresponses (which patches _request with autospec) nests on it.
    stack.enter_context(_wrapped(aiohttp.ClientSession, "_request", request_beside))
    stack.enter_context(_wrapped(aioresponses, "match", match_beside))


def _close_all(responses: list[Any]) -> None:
    for response in responses:
        response.close()


def aiohttp_response_class(aiohttp: Any) -> type:  # public: a test's own aioresponses routes need it too
    """aiohttp 3.14 made ``stream_writer`` a required argument of ClientResponse, which aioresponses 0.7.x does
    not pass (aioresponses issue 289); an intercepted request wrote nothing, so a writer of 0 bytes stands in."""
    if "stream_writer" not in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
        return aiohttp.ClientResponse

    class InterceptedResponse(aiohttp.ClientResponse):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", types.SimpleNamespace(output_size=0))
            super().__init__(*args, **kwargs)

    return InterceptedResponse


def _with_method(callback: Callable[..., Any], method: str) -> Callable[..., Any]:
    return lambda url, **kwargs: callback(url, method=method, **kwargs)


class _UrllibHandler(urllib.request.BaseHandler):
    """Answers ``urllib.request`` calls to the platform's hosts; every other URL goes to the next handler."""

    handler_order = 100  # before the standard HTTP handlers (500)

    def __init__(self, answer: Callable[..., Answer], pattern: re.Pattern[str]) -> None:
        self.answer = answer
        self.pattern = pattern

    def _open(self, request: urllib.request.Request) -> addinfourl | None:
        url = request.full_url
        if not self.pattern.match(url):
            return None
        body = request.data if isinstance(request.data, bytes) else None
        try:
            status, headers, data = self.answer(request.get_method(), url, request.header_items(), body)
        except WireFault as fault:
            raise urllib.error.URLError(f"jaicp-mock network fault: {fault.kind}") from None
        message = Message()
        for name, value in headers:
            message[name] = value
        response = addinfourl(io.BytesIO(data), message, url, status)
        response.msg = ""  # type: ignore[attr-defined]  # the reason phrase HTTPErrorProcessor reads
        return response

    http_open = https_open = _open


def _urllib(answer: Callable[..., Answer], pattern: re.Pattern[str], stack: contextlib.ExitStack) -> None:
    previous = urllib.request._opener  # type: ignore[attr-defined]  # the global opener urlopen uses
    urllib.request.install_opener(urllib.request.build_opener(_UrllibHandler(answer, pattern)))
    stack.callback(urllib.request.install_opener, previous)


@contextlib.contextmanager
def intercept(config: MockConfig | None = None, *, app: Flask | None = None, hosts: Iterable[str] = DEFAULT_HOSTS,
              now: datetime | str | None = None) -> Iterator[JaicpMock]:
    """Answer calls to ``hosts`` from every covered client with the app, without a socket.

    Calls to any other host go through to the network (or to the test's own mocks) as usual. The handle's
    ``clients`` names the clients covered.
    """
    clients = covered_clients()
    hosts = tuple(hosts)
    own_app = app is None
    app = app or build_app(config, now=now)
    pattern = _host_pattern(hosts)

    def answer(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes | None) -> Answer:
        return _dispatch(app, method, url, headers, body)

    try:
        with contextlib.ExitStack() as stack:
            if "requests" in clients:
                _requests(answer, pattern, stack)
            if "httpx" in clients:
                _httpx(answer, pattern, hosts, stack)
            if "aiohttp" in clients:
                _aiohttp(answer, pattern, stack)
            _urllib(answer, pattern, stack)
            mock = JaicpMock.of_app(app, f"https://{hosts[0]}")
            mock.clients = clients
            yield mock
    finally:
        if own_app:
            state_of(app).close()
