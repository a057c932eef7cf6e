"""The access log: one line per request (time, client, method, path, status, login, duration), never a credential.

``jaicp-mock serve`` writes it to stderr through :class:`AccessLog`: a request only appends a tuple to a list,
and a background thread formats and writes the lines in batches, at most ``interval`` seconds late. Going
through ``logging`` for each request (a LogRecord, a formatter, a locked handler, a write and a flush) cost
about a sixth of the small-download rate. Without a sink (tests, the pytest plugin), lines go to the
``jaicp_mock.access`` logger when it is enabled for INFO, and cost nothing when it is not.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TextIO

LOGGER = logging.getLogger("jaicp_mock.access")
LIMIT = 300


def printable(text: str) -> str:
    """Safe for a one-line log: control characters escaped, long values cut (a path is the client's text)."""
    cut = text if len(text) <= LIMIT else text[:LIMIT] + "..."
    return cut if cut.isprintable() else cut.encode("unicode_escape").decode("ascii")


def format_line(entry: tuple) -> str:
    """``<remote> <method> <path[?query]> <status> <login or -> <duration>ms``."""
    _, remote, method, path, query, status, login, duration_ms = entry
    shown = f"{path}?{query}" if query else path
    return (f"{remote or '-'} {method} {printable(shown)} {status} {printable(login) if login else '-'} "
            f"{duration_ms:.1f}ms")


class AccessLog:
    """Batches access-log lines to a text stream from a background thread."""

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self._entries: list[tuple] = []
        self._wake = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="jaicp-mock-access-log", daemon=True)
        self._thread.start()

    def add(self, entry: tuple) -> None:
        """``(unix time, remote, method, path, query, status, login, duration ms)``; list.append is atomic."""
        self._entries.append(entry)

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            self.flush()

    def flush(self) -> None:
        entries, self._entries = self._entries, []
        if not entries:
            return
        lines = []
        stamp_second, stamp = -1, ""
        for entry in entries:
            second = int(entry[0])
            if second != stamp_second:
                stamp_second, stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(second))
            lines.append(f"{stamp} {format_line(entry)}\n")
        with contextlib.suppress(OSError, ValueError):
            self.stream.write("".join(lines))
            self.stream.flush()

    def close(self) -> None:
        """Stop the thread and write what is left."""
        self._closed = True
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=1)
        self.flush()
