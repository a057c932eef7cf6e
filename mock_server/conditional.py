"""Conditional and range requests on a day file, as RFC 9110 (sections 13 and 14) says.

:func:`evaluate` is pure: from the request's headers and the file's validators it decides the answer's kind,
in the RFC's order (If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since; then Range
with If-Range). The rules a client meets at their edges:

- a failed If-Match or If-Unmodified-Since is 412 (the caller answers it with the error envelope);
- a matching If-None-Match on GET/HEAD is 304, even with a Range;
- Range applies to GET only (never HEAD); a unit other than ``bytes`` or a malformed set is ignored (200);
- a suffix longer than the file means the whole file; a range starting past the end is unsatisfiable, and 416
  comes only when no range of the set can be satisfied;
- If-Range compares strongly: a weak ETag never matches, a date must equal Last-Modified exactly;
- several ranges answer ``multipart/byteranges`` (more than :data:`MAX_RANGES`, the whole file, 200).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from werkzeug.http import parse_date

MAX_RANGES = 16
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


@dataclass(frozen=True, slots=True)
class Outcome:
    """``status``: 200 (whole), 206 (``ranges``), 304, 412 or 416."""

    status: int
    ranges: tuple[tuple[int, int], ...] = ()
    """Inclusive (first, last) byte positions, for 206."""


def _etags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(header: str, etag: str) -> bool:
    """If-None-Match: weak comparison (``W/`` ignored on both sides)."""
    bare = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == bare for tag in _etags(header))


def _strong_match(header: str, etag: str) -> bool:
    """If-Match and If-Range: strong comparison (a weak tag never matches)."""
    return any(tag == "*" or (not tag.startswith("W/") and tag == etag) for tag in _etags(header))


def _date(header: str | None) -> datetime | None:
    return parse_date(header) if header else None


def parse_ranges(header: str, size: int) -> tuple[tuple[int, int], ...] | None:
    """The satisfiable ranges of a ``bytes=`` set (empty: none satisfiable); None: ignore the header."""
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    satisfiable = []
    for part in spec.split(","):
        match = _RANGE.match(part)
        if match is None or match.group(1) == match.group(2) == "":
            return None
        first, last = match.group(1), match.group(2)
        if first == "":  # a suffix: the last N bytes (all of them when N is longer than the file)
            if int(last) > 0 and size > 0:
                satisfiable.append((max(0, size - int(last)), size - 1))
            continue
        if last != "" and int(last) < int(first):
            return None  # invalid: the whole header is ignored
        if int(first) < size:
            satisfiable.append((int(first), min(int(last), size - 1) if last != "" else size - 1))
    return tuple(satisfiable)


def _if_range_holds(header: str, etag: str, last_modified: datetime) -> bool:
    if header.strip().startswith(('"', "W/")):
        return _strong_match(header, etag)
    moment = _date(header)
    return moment is not None and moment == last_modified.replace(microsecond=0)


def evaluate(method: str, headers: dict[str, str], etag: str, last_modified: datetime, size: int | None
             ) -> Outcome:
    """The answer's kind for a GET or HEAD of a file with ``etag`` (strong, quoted) and ``last_modified``.

    ``headers``: the request's, by lower-case name. ``size`` None: the length is not known yet (ranges are
    ignored).
    """
    modified = last_modified.replace(microsecond=0)
    if "if-match" in headers:
        if not _strong_match(headers["if-match"], etag):
            return Outcome(412)
    elif (since := _date(headers.get("if-unmodified-since"))) is not None and modified > since:
        return Outcome(412)
    if "if-none-match" in headers:
        if _weak_match(headers["if-none-match"], etag):
            return Outcome(304)
    elif (since := _date(headers.get("if-modified-since"))) is not None and modified <= since:
        return Outcome(304)
    if method != "GET" or size is None or "range" not in headers:
        return Outcome(200)
    if "if-range" in headers and not _if_range_holds(headers["if-range"], etag, last_modified):
        return Outcome(200)
    ranges = parse_ranges(headers["range"], size)
    if ranges is None or len(ranges) > MAX_RANGES:
        return Outcome(200)
    return Outcome(206, ranges) if ranges else Outcome(416)
