"""Network faults on the wire: what a client meets when the platform's proxy or network misbehaves.

:func:`answer` plays one fault taken from :mod:`mock_server.state.faults` around the app's own answer. Delays and
dribbles sleep in real time (bounded by the fault's limits), because a client's timeout measures real time; the
rest acts at once. The kinds that cut the connection need the socket: on waitress it is reached through the
channel behind ``waitress.client_disconnected``, and the cut runs in the server's event-loop thread (the owner of
the socket) through its trigger. Without a socket (the in-process transports) they raise :class:`WireFault`,
which the interception layer turns into the exception that client raises on a real cut.
"""

from __future__ import annotations

import gzip
import math
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from generators.model import stable_int
from mock_server.state.faults import MAX_DELAY_MS, Fault

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]
CUT_WAIT_SECONDS = 5.0


class WireFault(Exception):
    """A network fault that needs a socket, met on a transport without one (the kind is ``args[0]``)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def delay_seconds(fault: Fault, seed: int) -> float:
    """The fault's delay for this use: fixed, uniform between ``delay_ms`` and ``max_delay_ms``, or log-normal
    with median ``delay_ms`` and spread ``sigma``; seeded by (seed, fault, use), capped at ``max_delay_ms`` or
    the kind's limit."""

    base = fault.param("delay_ms")
    ceiling = fault.params.get("max_delay_ms", MAX_DELAY_MS)
    draw = random.Random(stable_int("delay", seed, fault.id, fault.remaining))
    spread = {"fixed": lambda: base, "uniform": lambda: draw.uniform(base, max(base, ceiling)),
              "lognormal": lambda: base * math.exp(draw.gauss(0.0, fault.param("sigma")))}
    return min(spread[fault.param("distribution")](), ceiling) / 1000


def _captured(app: WsgiApp, environ: dict) -> tuple[str, list[tuple[str, str]], Iterable[bytes]]:
    """Run the app and keep what it answers instead of sending it."""
    seen: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        seen[:] = [status, list(headers)]
        return lambda data: None

    body = app(environ, start_response)
    return seen[0], seen[1], body


def _head_bytes(status: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers), "Server: jaicp-mock"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _first_bytes(body: Iterable[bytes], count: int, *, short: bool = False) -> bytes:
    """The body's first ``count`` bytes; ``short``: one byte fewer than the whole body when it is shorter."""
    taken = bytearray()
    try:
        for chunk in body:
            taken += chunk
            if len(taken) >= count:
                break
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    if short and len(taken) <= count:
        return bytes(taken[:-1])
    return bytes(taken[:count])


def cut(environ: dict, kind: str, data: bytes = b"", *, reset: bool) -> None:
    """Send ``data`` raw, then close the connection: with a TCP reset (``reset``) or an orderly close."""
    channel = getattr(environ.get("waitress.client_disconnected"), "__self__", None)
    if channel is None:
        raise WireFault(kind)
    done = threading.Event()

    def in_loop() -> None:
        try:
            sock = channel.socket
            if data:
                sock.settimeout(2)
                sock.sendall(data)
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        finally:
            channel.handle_close()
            done.set()

    channel.server.trigger.pull_trigger(in_loop)
    done.wait(CUT_WAIT_SECONDS)


def _after_cut(start_response: StartResponse) -> Iterable[bytes]:
    """What the app returns once the connection is cut: waitress finds the channel closed and sends nothing."""
    start_response("200 OK", [])
    return []


def _cut_after(reset: bool) -> Callable[[Fault, WsgiApp, dict, StartResponse, int], Iterable[bytes]]:
    def play(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int
             ) -> Iterable[bytes]:
        after = fault.params.get("after_bytes")
        if reset and after is None:
            data = b""  # a reset before the headers
        else:
            status, headers, body = _captured(app, environ)
            data = _head_bytes(status, headers) + _first_bytes(body, 1024 if after is None else after,
                                                                   short=not reset)
        cut(environ, fault.kind, data, reset=reset)
        return _after_cut(start_response)
    return play


def _empty(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int) -> Iterable[bytes]:
    cut(environ, fault.kind, reset=False)
    return _after_cut(start_response)


def _malformed_chunk(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int
                     ) -> Iterable[bytes]:
    status, headers, body = _captured(app, environ)
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    first = _first_bytes(body, 512)
    data = _head_bytes(status, [*kept, ("Transfer-Encoding", "chunked")])
    cut(environ, fault.kind, data + b"%x\r\n%s\r\nzz-not-a-size\r\n" % (len(first), first), reset=False)
    return _after_cut(start_response)


def _garbage(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int) -> Iterable[bytes]:
    draw = random.Random(stable_int("garbage", seed, fault.id, fault.remaining))
    cut(environ, fault.kind, draw.randbytes(fault.param("garbage_bytes")), reset=False)
    return _after_cut(start_response)


def _delay(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int) -> Iterable[bytes]:
    time.sleep(delay_seconds(fault, seed))
    return app(environ, start_response)


def _dribble(body: Iterable[bytes], size: int, pause: float, gone: Callable[[], bool]) -> Iterator[bytes]:
    """The body in writes of ``size`` bytes, ``pause`` seconds apart; it stops once the client has gone."""
    first = True
    try:
        for chunk in body:
            for start in range(0, len(chunk), size):
                if not first:
                    time.sleep(pause)
                    if gone():
                        return
                first = False
                yield chunk[start:start + size]
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _slow_body(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int
               ) -> Iterable[bytes]:
    body = app(environ, start_response)
    gone = environ.get("waitress.client_disconnected", lambda: False)
    return _dribble(body, fault.param("chunk_bytes"), fault.param("interval_ms") / 1000, gone)


def _corrupt_gzip(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int
                  ) -> Iterable[bytes]:
    """A body that says gzip and starts as gzip, then breaks: the client's decoder fails."""
    status, headers, body = _captured(app, environ)
    packed = gzip.compress(_first_bytes(body, 4096), mtime=0)
    broken = packed[:10] + bytes(byte ^ 0x5A for byte in packed[10:])
    kept = [(name, value) for name, value in headers
            if name.lower() not in ("content-length", "content-encoding", "content-range")]
    start_response(status, [*kept, ("Content-Encoding", "gzip"), ("Content-Length", str(len(broken)))])
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [broken]


PLAYS: dict[str, Callable[[Fault, WsgiApp, dict, StartResponse, int], Iterable[bytes]]] = {
    "delay": _delay, "slow_body": _slow_body, "reset": _cut_after(reset=True), "empty": _empty,
    "truncate": _cut_after(reset=False), "malformed_chunk": _malformed_chunk, "garbage": _garbage,
    "corrupt_gzip": _corrupt_gzip}
"""Each network fault kind and how it plays."""


def answer(fault: Fault, app: WsgiApp, environ: dict, start_response: StartResponse, seed: int) -> Iterable[bytes]:
    """Play a network fault around the app's answer."""
    return PLAYS[fault.kind](fault, app, environ, start_response, seed)
