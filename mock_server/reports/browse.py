"""What a report would list, for the platform's pages: the sessions of Analytics → Dialogs, the clients of
Analytics → Clients, a page at a time.

The list comes from the report service's own query (the request's checks, period and frozen versions are
:meth:`ReportService.query_for`'s) and the same summaries the report's rows are made of, so the page and the file
exported from it agree. Reading a period's days takes a while (about 0.4 s for the demo's week), so a few recent
lists are cached by their query: turning pages, or opening a session, reads nothing again. The count is handed to
the service, so the export the page then starts knows its totalCount at once.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from mock_server.reports.content import (
    ClientSummary,
    ReportQuery,
    describe_query,
    summarize_clients,
    summarize_sessions,
)
from mock_server.reports.models import ReportType
from mock_server.reports.records import SessionSummary
from mock_server.rules import User

if TYPE_CHECKING:
    from mock_server.reports.service import ReportService
    from mock_server.state import Snapshot

LIST_CACHE_SIZE = 8
SUMMARIES: dict[ReportType, Callable[[ReportQuery], Sequence[Any]]] = {
    ReportType.SESSIONS: summarize_sessions, ReportType.CLIENTS: summarize_clients}
"""The report types a page lists, and what their rows are made of."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a report's items, and where it lies in the whole list."""

    query: ReportQuery
    items: Sequence[SessionSummary] | Sequence[ClientSummary]
    total: int
    page: int
    """1-based; clamped to the last page."""
    pages: int
    first: int
    """The 1-based position of ``items[0]`` in the whole list (0 when empty)."""


class ReportLister:
    """Lists of one :class:`ReportService`'s accounts, cached per query."""

    def __init__(self, service: ReportService) -> None:
        self.service = service
        self._lists: OrderedDict[str, Sequence[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def page(self, user: User, snapshot: Snapshot, now: datetime, report_type: ReportType, body: object,
             zone: tzinfo, page: int, size: int, project: str | None = None) -> Listing:
        """Page ``page`` (of ``size`` items) of what a ``report_type`` report of ``body`` would list now;
        ReportError as the report service raises it."""
        query = self.service.query_for(user, snapshot, now, report_type, body, zone, project)
        items = self.items(query)
        pages = max(1, -(-len(items) // size))
        page = min(max(page, 1), pages)
        start = (page - 1) * size
        return Listing(query, items[start:start + size], len(items), page, pages, start + 1 if items else 0)

    def items(self, query: ReportQuery) -> Sequence[Any]:
        """Everything the query lists (cached); the page slices it."""
        key = json.dumps(describe_query(query), sort_keys=True)
        with self._lock:
            if key in self._lists:
                self._lists.move_to_end(key)
                return self._lists[key]
        items = SUMMARIES[query.report_type](query)
        self.service.remember_count(query, len(items))
        with self._lock:
            self._lists[key] = items
            while len(self._lists) > LIST_CACHE_SIZE:
                self._lists.popitem(last=False)
        return items

    def session(self, query: ReportQuery, session_id: str) -> SessionSummary | None:
        """A session of a sessions list, by id (None when the list does not have it)."""
        return next((item for item in self.items(query) if item.session_id == session_id), None)

    def clear(self) -> None:
        with self._lock:
            self._lists.clear()
