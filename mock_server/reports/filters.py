"""Report filters as predicates: each key tests a session (aggregated over the period) or a single message.

Session keys (times, channel, bot, client, id, labels, result, transfer, phrase count, empty sessions) test the
session. Message keys (message time, question text, answer text, empty messages) test messages: a messages
report keeps the messages that pass, a sessions or clients report keeps the sessions with at least one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import Enum
from typing import Any

from mock_server.reports.models import (
    YES,
    CheckboxFilter,
    DateTimeRangeFilter,
    FilterKey,
    NumericRangeFilter,
    RadioFilter,
    ReportFilter,
    TextFilter,
)
from mock_server.reports.records import Message, SessionSummary

SessionTest = Callable[[SessionSummary], bool]
MessageTest = Callable[[Message], bool]


class Level(Enum):
    SESSION = "session"
    MESSAGE = "message"


def aware_in(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A picker's time without an offset means the user's zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone)


def _in_range(attribute: str) -> Callable[[Any, tzinfo], Callable[[Any], bool]]:
    def build(spec: DateTimeRangeFilter, zone: tzinfo) -> Callable[[Any], bool]:
        low, high = aware_in(spec.from_, zone), aware_in(spec.to, zone)

        def test(item: Any) -> bool:
            moment = getattr(item, attribute)
            return (low is None or moment >= low) and (high is None or moment < high)
        return test
    return build


def _contains(*attributes: str) -> Callable[[Any, tzinfo], Callable[[Any], bool]]:
    def build(spec: TextFilter, _zone: tzinfo) -> Callable[[Any], bool]:
        needle = spec.value.casefold()
        return lambda item: any(needle in getattr(item, name).casefold() for name in attributes)
    return build


def _one_of(attribute: str) -> Callable[[Any, tzinfo], Callable[[Any], bool]]:
    def build(spec: CheckboxFilter, _zone: tzinfo) -> Callable[[Any], bool]:
        options = frozenset(spec.options)
        return lambda item: getattr(item, attribute) in options
    return build


def _labels(spec: CheckboxFilter, _zone: tzinfo) -> SessionTest:
    options = frozenset(spec.options)
    return lambda session: not options.isdisjoint(session.labels)


def _yes_no(attribute: str, *, only_when_yes: bool) -> Callable[[Any, tzinfo], Callable[[Any], bool]]:
    """``only_when_yes``: NO means "do not filter" (the UI's "hide empty ..." switches), not "only the others"."""
    def build(spec: RadioFilter, _zone: tzinfo) -> Callable[[Any], bool]:
        wanted = spec.option == YES
        if only_when_yes and not wanted:
            return lambda item: True
        return lambda item: bool(getattr(item, attribute)) == wanted
    return build


def _phrase_count(spec: NumericRangeFilter, _zone: tzinfo) -> SessionTest:
    low, high = spec.from_, spec.to
    lowest, highest = 0 if low is None else low, float("inf") if high is None else high
    return lambda session: lowest <= session.phrase_count <= highest


def _session_result(spec: CheckboxFilter, _zone: tzinfo) -> SessionTest:
    options = frozenset(spec.options)
    return lambda session: session.result.value in options


BUILDERS: dict[FilterKey, tuple[Level, Callable[[Any, tzinfo], Callable[[Any], bool]]]] = {
    FilterKey.SESSION_START_TIME: (Level.SESSION, _in_range("start")),
    FilterKey.SESSION_END_TIME: (Level.SESSION, _in_range("end")),
    FilterKey.MESSAGE_TIME: (Level.MESSAGE, _in_range("moment")),
    FilterKey.CHANNEL_TYPE: (Level.SESSION, _one_of("channel_type")),
    FilterKey.BOT_ID: (Level.SESSION, _one_of("channel_name")),
    FilterKey.CLIENT_ID_OR_NAME: (Level.SESSION, _contains("client_id", "client_name")),
    FilterKey.SESSION_ID: (Level.SESSION, _contains("session_id")),
    FilterKey.SESSION_LABELS: (Level.SESSION, _labels),
    FilterKey.SESSION_RESULT: (Level.SESSION, _session_result),
    FilterKey.TRANSFER_TO_OPERATOR: (Level.SESSION, _yes_no("transferred", only_when_yes=False)),
    FilterKey.MESSAGE_TEXT: (Level.MESSAGE, _contains("question")),
    FilterKey.ANSWER_TEXT: (Level.MESSAGE, _contains("answer")),
    FilterKey.MESSAGE_COUNT: (Level.SESSION, _phrase_count),
    FilterKey.WITHOUT_EMPTY_SESSIONS: (Level.SESSION, _yes_no("client_phrases", only_when_yes=True)),
    FilterKey.WITHOUT_EMPTY_MESSAGES: (Level.MESSAGE, _yes_no("client_phrase", only_when_yes=True)),
}


@dataclass(frozen=True, slots=True)
class CompiledFilters:
    """All filters of a report, split by what they test; every filter must pass (AND)."""

    session_tests: tuple[SessionTest, ...] = ()
    message_tests: tuple[MessageTest, ...] = ()

    def session_ok(self, session: SessionSummary) -> bool:
        return all(test(session) for test in self.session_tests)

    def message_ok(self, message: Message) -> bool:
        return all(test(message) for test in self.message_tests)


def compile_filters(filters: Iterable[ReportFilter], zone: tzinfo) -> CompiledFilters:
    """Predicates for ``filters``; times without an offset are read in ``zone``."""
    tests: dict[Level, list[Callable[[Any], bool]]] = {Level.SESSION: [], Level.MESSAGE: []}
    for spec in filters:
        level, build = BUILDERS[spec.key]
        tests[level].append(build(spec, zone))
    return CompiledFilters(tuple(tests[Level.SESSION]), tuple(tests[Level.MESSAGE]))
