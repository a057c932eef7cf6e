"""What reports are made of: typed raw-log messages and the sessions they add up to.

Both come from the generator's raw-log rows (the 19 columns of ``generators.schema``) and nothing else, so
whatever the generator draws, the reports agree with the raw-log CSV of the same days.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from generators import schema
from generators.channels import channel_from_label
from mock_server.reports.models import SessionResult

DELETED_TEXT = "Message has been deleted"
"""What the platform shows for a phrase or answer removed by log cleanup."""
EVENT_NAMES = frozenset({"hangup", "livechatFinished", "noLivechatOperatorsOnline", "fileEvent", "speechNotRecognized",
                         "timeLimit", "lengthLimit", "noMatch"})
"""Platform events that land in the question column; like commands (``/start``) they are not client phrases."""


def is_client_phrase(question: str) -> bool:
    """Text the client typed or said: not empty, not a command such as ``/start``, not a platform event."""
    return bool(question) and not question.startswith("/") and question not in EVENT_NAMES


_parse_moment = functools.lru_cache(maxsize=1 << 18)(schema.parse_datetime)
"""A day has at most 86,400 distinct times and each session repeats its start and end on every row."""


class Message(NamedTuple):
    """One raw-log row, typed; times are aware UTC, ``channel_type`` is the channel id (``telegram``)."""

    session_id: str
    session_start: datetime
    session_end: datetime
    questions_count: int
    session_label: str
    channel_type: str
    channel_name: str
    client_id: str
    client_name: str
    project: str
    moment: datetime
    question: str
    answer: str
    state_before: str
    state_after: str
    switched: bool
    operator: bool
    comment: str
    labels: str
    client_phrase: bool
    """Decided on the original text, so a cleaned phrase still counts as what it was."""
    day: date
    """The raw-log file (UTC day) the row is in."""


def message_of(row: tuple[str, ...], day: date, cleaned: bool) -> Message:
    """Type one generator row; ``cleaned`` replaces the texts as log cleanup does (times and states stay)."""
    label = row[schema.CHANNEL_TYPE]
    channel = channel_from_label(label)
    question, answer = row[schema.MSG_QUESTION], row[schema.MSG_ANSWER]
    client_phrase = is_client_phrase(question)
    if cleaned:
        question = DELETED_TEXT if question else question
        answer = DELETED_TEXT if answer else answer
    return Message(
        row[schema.SESSION_ID], _parse_moment(row[schema.SESSION_START]), _parse_moment(row[schema.SESSION_END]),
        int(row[schema.QUESTIONS_COUNT]), row[schema.SESSION_TAG], channel.id if channel else label,
        row[schema.CHANNEL_NAME], row[schema.CLIENT_ID], row[schema.CLIENT_NAME], row[schema.PROJECT_NAME],
        _parse_moment(row[schema.MSG_RT]), question, answer, row[schema.STATE_BEFORE], row[schema.STATE_AFTER],
        row[schema.MSG_SWITCHED] == schema.TRUE, row[schema.MSG_OPERATOR] == schema.TRUE, row[schema.MSG_COMMENT],
        row[schema.MSG_TAGS], client_phrase, day)


@dataclass(slots=True)
class SessionSummary:
    """One session as the period's raw-log files show it; built message by message with :meth:`add`."""

    session_id: str
    project: str
    channel_type: str
    channel_name: str
    client_id: str
    client_name: str
    start: datetime
    end: datetime
    phrase_count: int
    """The raw log's session_questions_count on the period's last file that has the session."""
    label: str = ""
    first_phrase: str = ""
    last_phrase: str = ""
    client_phrases: int = 0
    transferred: bool = False
    last_activity: datetime | None = None
    matched: bool = False
    """Some message passed the report's message filters (always True without such filters)."""

    @classmethod
    def first(cls, message: Message) -> SessionSummary:
        return cls(message.session_id, message.project, message.channel_type, message.channel_name,
                   message.client_id, message.client_name, message.session_start, message.session_end,
                   message.questions_count)

    def add(self, message: Message, matched: bool) -> None:
        self.end = max(self.end, message.session_end)
        self.phrase_count = max(self.phrase_count, message.questions_count)
        self.label = message.session_label or self.label
        self.transferred = self.transferred or message.switched
        self.matched = self.matched or matched
        if self.last_activity is None or message.moment > self.last_activity:
            self.last_activity = message.moment
        if message.client_phrase:
            self.client_phrases += 1
            self.first_phrase = self.first_phrase or message.question
            self.last_phrase = message.question

    @property
    def result(self) -> SessionResult:
        """A transfer wins; a session with no client phrase has nothing else to say; else the bot answered."""
        if self.transferred:
            return SessionResult.TRANSFERRED
        return SessionResult.BOT_ANSWERED if self.client_phrases else SessionResult.NO_PHRASES

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label,) if self.label else ()
