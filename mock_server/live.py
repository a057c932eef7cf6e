"""The one waitress wrapper: :func:`make_server` (``jaicp-mock serve`` runs it in the foreground) and
:class:`LiveServer`, the app on a real socket in a daemon thread for tests, benchmarks and the pytest plugin.

Starting binds the socket before returning (so ``url`` is usable at once, with the real port for ``port=0``);
stopping wakes the event loop through waitress's trigger instead of waiting out a poll timeout, so both take
milliseconds.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

CHANNEL_TIMEOUT = 15
"""Seconds a connection may stay silent (idle keep-alive, or a client stalling mid-request) before it is closed."""
CONNECTION_LIMIT = 1000
"""Open connections before waitress stops accepting new ones (its default, 100, let 99 idle clients block others)."""
CLEANUP_INTERVAL = 5
"""Seconds between waitress's sweeps for silent connections."""
OUTBUF_HIGH_WATERMARK = 256 * 1024
"""Bytes waitress holds for one slow reader before the app's thread waits (its default, 16 MB, let eight readers
of a day being generated grow the server by hundreds of MB)."""


def make_server(app: Any, host: str, port: int, threads: int) -> Any:
    """A bound waitress server for ``app`` (``port=0``: a free port). Raises OSError/ValueError as waitress does."""
    return create_server(app, host=host, port=port, threads=threads, ident="jaicp-mock",
                         channel_timeout=CHANNEL_TIMEOUT, connection_limit=CONNECTION_LIMIT,
                         cleanup_interval=CLEANUP_INTERVAL, channel_request_lookahead=1,
                         outbuf_high_watermark=OUTBUF_HIGH_WATERMARK)


def close_connections(server: Any) -> None:
    """Close every client connection once the event loop has stopped: a worker thread waiting to hand a slow
    reader more bytes is woken (its write fails) instead of holding the shutdown for waitress's 5 s."""
    for channel in list(getattr(server, "active_channels", {}).values()):
        with contextlib.suppress(OSError):
            channel.handle_close()


def server_url(server: Any) -> str:
    """The base URL a client on this machine uses (a wildcard address becomes the loopback one)."""
    host = getattr(server, "effective_host", "127.0.0.1")
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{server.effective_port}"


class LiveServer:
    """``with LiveServer(app) as server: requests.get(server.url + "/_mock/health")``."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.threads = threads
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not started")
        return server_url(self._server)

    def start(self) -> LiveServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = make_server(self.app, self.host, self.port, self.threads)
        self._thread = threading.Thread(target=self._loop, name=f"jaicp-mock-{self._server.effective_port}",
                                        daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        server = self._server
        while not self._stopping.is_set():
            wasyncore.loop(timeout=5.0, map=server._map, count=1)

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.pull_trigger()  # wakes the loop's select at once
        thread.join(timeout=5)
        close_connections(server)
        server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(server._map)
        self._server = None
        self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
