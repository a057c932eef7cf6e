"""``jaicp-mock stats FILE...``: a data profile of day files, as an analyst would take it.

What a file holds (rows, sessions, clients, channels, hours, session lengths, turn gaps, transfers, labels,
comments, how varied the client phrases are, returning clients across the days given) and the text-quality
counts a program can measure (``Quality``). ``--json`` prints the same as one JSON object.

Contract: ``profile_files(paths) -> Profile`` and ``profile_records(records) -> Profile`` (any iterable of
``csvformat.LogRecord``); ``Profile.to_json()``; ``render(profile) -> str``; ``main(argv)`` the command on
its own; ``STATS`` is its ``jaicp-mock`` subcommand. Every share is a fraction in [0, 1].
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import re
import statistics
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from generators import russian, talk, tense
from generators.channels import CHANNELS_BY_ID
from generators.cli import Command
from generators.csvformat import LogRecord, iter_records
from generators.model import DEFAULT_UTC_OFFSETS

EVENTS = frozenset({"/start", "hangup", "livechatFinished", "timeLimit", "speechNotRecognized", "noInput"})
"""Platform events that stand in ``msg_question`` instead of a client's words."""
CATCH_ALL = "/CatchAll"
NO_OPERATORS = "NoOperatorsOnline"
LONG_PHRASE_WORDS = 15
WINDOW_ROWS = 2_000
"""Distinct phrases are counted per this many client rows, so files of any size compare."""
SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

_PLACEHOLDER = re.compile(r"\{[^{}\s]{1,40}\}|\[[^\[\]|]{0,40}\|[^\[\]]{0,40}\]")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d ()-]{9,16}\d|\(\d{3}\) ?\d{3}-\d{4}|(?<!\d)8 ?\(?9\d\d\)? ?\d{3}-?\d{2}-?\d{2}(?!\d)")
_NOW = re.compile(r"\b(?:as of|по состоянию на|\(на) (\d{1,2}):(\d{2})", re.IGNORECASE)
_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_YES = frozenset({"yes", "yeah", "yep", "yup", "sure", "ok", "okay", "confirm", "correct", "да", "ага", "угу",
                  "конечно", "подтверждаю", "верно", "ок", "окей"})
_EXAMPLES = 3


@dataclass(frozen=True)
class Distribution:
    count: int
    mean: float
    p10: float
    p50: float
    p90: float
    p95: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        if not values:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ordered = sorted(values)

        def at(share: float) -> float:
            return float(ordered[min(len(ordered) - 1, int(share * len(ordered)))])

        return cls(len(ordered), round(statistics.fmean(ordered), 2), at(0.1), at(0.5), at(0.9), at(0.95),
                   float(ordered[-1]))


@dataclass
class Quality:
    """Counts of what gives generated text away; each should be 0 in good data."""

    phone_rows: int = 0
    phone_chat_only: int = 0
    """Phone rows whose phrase or reply has chat-only wording or an emoji."""
    placeholder_leaks: int = 0
    """Rows with ``{name}`` or ``[a|b]`` left in their text."""
    labelled_sessions: int = 0
    contradicting_labels: int = 0
    label_changes: int = 0
    """Sessions whose rows do not all carry the same label (a session-level column)."""
    unknown_labels: int = 0
    """Labels no scenario file declares: not judged."""
    asr_comments_off_phone: int = 0
    quoted_emails: int = 0
    foreign_emails: int = 0
    """Emails in replies that are not the client's own (what the client wrote, or one address per session)."""
    quoted_phones: int = 0
    foreign_phones: int = 0
    """Phone numbers in replies that are not the client's (the caller's number on phone-based channels)."""
    now_quotes: int = 0
    now_in_future: int = 0
    """"as of HH:MM" later than the phrase's local time."""
    tensed_dates: int = 0
    """Dates a text says are past or to come ("shipped on March 3", "arrives by March 9")."""
    wrong_tense_dates: int = 0
    """... said as past but after the phrase's local day, or as to come but before it."""
    russian_errors: int = 0
    """Replies with a Russian agreement error (``russian.grammar_errors``): «курьеру Сергей», «5 заказа»."""
    bare_yes: int = 0
    unasked_yes: int = 0
    """A bare "yes" after a reply that asked nothing."""
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, text: str) -> None:
        shown = self.examples.setdefault(kind, [])
        if len(shown) < _EXAMPLES:
            shown.append(text[:160])


@dataclass
class Profile:
    files: list[str]
    rows: int
    sessions: int
    clients: int
    channels: dict[str, float]
    """Channel id -> share of sessions."""
    hourly_rows: list[int]
    """Rows per UTC hour, 0..23."""
    sessions_per_day: dict[str, int]
    """Sessions that start on each day (UTC), ISO dates."""
    client_rows: int
    distinct_phrases: int
    distinct_per_window: float | None
    """Mean distinct phrases per ``WINDOW_ROWS`` client rows; None when fewer rows."""
    once_only_share: float
    """Client rows whose phrase occurs once in the data."""
    long_phrase_share: float
    catch_all_rows: int
    catch_all_share: float
    catch_all_distinct_share: float
    transfer_share: float
    """Sessions with a transfer to an agent."""
    no_operators_share: float
    agent_joined_share: float
    session_phrases: Distribution
    session_seconds: Distribution
    chat_turn_gap: Distribution
    phone_turn_gap: Distribution
    queue_wait: Distribution
    """Seconds from the transfer to the agent's first line."""
    labelled_share: float
    labels: dict[str, float]
    comment_share: float
    comments: dict[str, float]
    tag_share: float
    returning_clients: int
    returning_share: float
    """Clients whose sessions start on two or more of the days given."""
    quality: Quality

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class _Session:
    rows: list[LogRecord] = field(default_factory=list)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _top(counter: Counter, whole: int, size: int = 10) -> dict[str, float]:
    return {key: _share(count, whole) for key, count in counter.most_common(size)}


def is_client_phrase(record: LogRecord) -> bool:
    return record.msg_question not in EVENTS


def is_catch_all(record: LogRecord) -> bool:
    return record.state_after.startswith(CATCH_ALL) and NO_OPERATORS not in record.state_after


def is_voice(record: LogRecord) -> bool:
    channel = CHANNELS_BY_ID.get(record.channel_type)
    return channel is not None and channel.voice


@functools.cache
def scenario_kinds() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Every session label the scenario files declare -> its kinds (done, transferred...); the ASR comments.

    A goal's own ``label`` is a "done" label.
    """
    labels: dict[str, set[str]] = defaultdict(set)
    asr: set[str] = set()
    for path in sorted(SCENARIO_DIR.glob("*/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for kind, texts in data.get("labels", {}).items():
            for text in texts:
                labels[text].add(kind)
        for goal in data.get("goals", ()):
            if goal.get("label"):
                labels[goal["label"]].add("done")
        asr.update(data.get("comments", {}).get("asr", ()))
    return {text: frozenset(kinds) for text, kinds in labels.items()}, frozenset(asr)


def _windows(phrases: list[str]) -> float | None:
    if len(phrases) < WINDOW_ROWS:
        return None
    counts = [len(set(phrases[start:start + WINDOW_ROWS]))
              for start in range(0, len(phrases) - WINDOW_ROWS + 1, WINDOW_ROWS)]
    return round(statistics.fmean(counts), 1)


def _gaps(rows: list[LogRecord]) -> list[float]:
    return [(later.msg_rt - earlier.msg_rt).total_seconds() for earlier, later in itertools.pairwise(rows)]


def _queue_wait(rows: list[LogRecord]) -> float | None:
    switched = next((row.msg_rt for row in rows if row.msg_switched), None)
    joined = next((row.msg_rt for row in rows if row.msg_operator), None)
    if switched is None or joined is None or joined < switched:
        return None
    return (joined - switched).total_seconds()


@dataclass(frozen=True)
class SessionFacts:
    """What happened in a session, as its rows show it."""

    agent_joined: bool
    transferred: bool
    """Put through to an agent: an agent wrote, or the bot switched (a call leaves the log when put through)."""
    no_operators: bool
    chat_finished: bool
    voice: bool

    @classmethod
    def of(cls, rows: list[LogRecord]) -> SessionFacts:
        agent_joined = any(row.msg_operator for row in rows)
        return cls(agent_joined=agent_joined, transferred=agent_joined or any(row.msg_switched for row in rows),
                   no_operators=any(NO_OPERATORS in row.state_after for row in rows),
                   chat_finished=any(row.msg_question == "livechatFinished" for row in rows),
                   voice=is_voice(rows[0]))


LABEL_RULES = {
    "transferred": lambda facts: facts.transferred,
    "no_operators": lambda facts: facts.no_operators and not facts.agent_joined,
    "satisfied": lambda facts: facts.chat_finished and not facts.voice,
    "unsatisfied": lambda facts: facts.chat_finished and not facts.voice,
    "done": lambda facts: not facts.transferred,
    "failed": lambda facts: not facts.transferred,
    "gave_up": lambda facts: not facts.transferred,
}
"""A label of each kind is right only when the dialog shows this; a label of several kinds needs one."""


def label_contradicted(label: str, facts: SessionFacts) -> bool | None:
    """True when the dialog contradicts the label, None when no scenario file declares it."""
    kinds = scenario_kinds()[0].get(label)
    if kinds is None:
        return None
    return not any(LABEL_RULES[kind](facts) for kind in kinds if kind in LABEL_RULES)


_SERVICE_MAILBOXES = frozenset({"support", "help", "info", "noreply", "no-reply", "care", "service", "hello",
                                "team", "billing", "orders", "feedback", "privacy", "claims"})
_TOLL_FREE = re.compile(r"^(1(800|888|877|866|855|844|833)|7800)")


def _phone_key(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return ("7" + digits[1:]) if len(digits) == 11 and digits[0] == "8" else digits


@functools.cache
def _name_spellings(token: str) -> frozenset[str]:
    """How a name in ``client_name`` may be spelt in the client's email: «Тоха» -> anton, «Ольга» -> olga."""
    from generators.pools import LOCALES, load_pools

    spellings = {token}
    for locale in LOCALES:
        pools = load_pools(locale)
        full = {name for name, forms in pools.short_forms.items() if token in forms}
        spellings |= {pools.latin.get(name, name) for name in {token, *full}}
    return frozenset(ascii_name for spelt in spellings
                     if len(ascii_name := re.sub(r"[^a-z]", "", spelt.lower())) >= 3)


def _email_fits_name(email: str, client_name: str) -> bool:
    """The local part holds a spelling of a name shown, or starts or ends with the first name's initial
    (``dmckinney``, ``gutierrezl61`` for a client shown by first name: the surname is not shown)."""
    tokens = re.findall(r"[^\W\d_]+", client_name)
    if not tokens:
        return True
    local = email.split("@")[0].lower()
    spellings = [spelling for token in tokens for spelling in _name_spellings(token)]
    letters = re.sub(r"[^a-z]", "", local)
    shown_in_full = [token for token in tokens if len(token) > 1]  # "Anthony K.": the surname is an initial
    return any(spelling in local for spelling in spellings) or (
        len(shown_in_full) == 1 and any(letters.startswith(spelling[0]) or letters.endswith(spelling[0])
                                 for spelling in spellings))


def _own_phones(rows: list[LogRecord]) -> set[str]:
    own = {_phone_key(found) for row in rows if is_client_phrase(row) for found in _PHONE.findall(row.msg_question)}
    channel = CHANNELS_BY_ID.get(rows[0].channel_type)
    caller = re.search(r"(\d{10,15})$", rows[0].client_id)
    if channel is not None and channel.user_id_shape == "phone" and caller:
        own.add(caller.group(1))
    return own


def _check_quotes(rows: list[LogRecord], quality: Quality) -> None:
    """Emails and phones in replies must be the client's own, and one of each per session."""
    own_emails = {found.lower() for row in rows for found in _EMAIL.findall(row.msg_question)}
    own_phones = _own_phones(rows)
    seen_email: str | None = None
    seen_phone: str | None = None
    for row in rows:
        for email in (found.lower() for found in _EMAIL.findall(row.msg_answer)):
            if email.split("@")[0] in _SERVICE_MAILBOXES:
                continue
            quality.quoted_emails += 1
            seen_email = seen_email or email
            foreign = email not in own_emails if own_emails else (
                email != seen_email or not _email_fits_name(email, row.client_name))
            if foreign:
                quality.foreign_emails += 1
                quality.note("foreign_emails", f"{row.client_name or '(no name)'}: {row.msg_answer}")
        for phone in (_phone_key(found) for found in _PHONE.findall(row.msg_answer)):
            if _TOLL_FREE.match(phone):
                continue
            quality.quoted_phones += 1
            seen_phone = seen_phone or phone
            if (phone not in own_phones) if own_phones else phone != seen_phone:
                quality.foreign_phones += 1
                quality.note("foreign_phones", f"{row.client_id}: {row.msg_answer}")


def _utc_offset(text: str, override: int | None) -> int:
    if override is not None:
        return override
    return DEFAULT_UTC_OFFSETS["ru_RU" if _CYRILLIC.search(text) else "en_US"]


def _check_tense(row: LogRecord, quality: Quality, utc_offset: int | None) -> None:
    for text in (row.msg_question, row.msg_answer):
        if not _DIGIT.search(text):
            continue
        locale = "ru_RU" if _CYRILLIC.search(text) else "en_US"
        local_day = (row.msg_rt + timedelta(hours=_utc_offset(text, utc_offset))).date()
        said = [found for found in tense.said_dates(text, locale) if found.tense is not None]
        quality.tensed_dates += len(said)
        if said and (wrong := tense.wrong_tense(text, locale, local_day)):
            quality.wrong_tense_dates += len(wrong)
            quality.note("wrong_tense_dates", f"{local_day:%d.%m} local, {', '.join(wrong)}: {text}")


def _check_now(row: LogRecord, quality: Quality, utc_offset: int | None) -> None:
    for hours, minutes in _NOW.findall(row.msg_answer):
        quality.now_quotes += 1
        local = row.msg_rt + timedelta(hours=_utc_offset(row.msg_answer, utc_offset))
        ahead = (int(hours) * 60 + int(minutes) - local.hour * 60 - local.minute) % 1440
        if 0 < ahead < 720:  # 12 hours or more ahead reads as a time of the day before
            quality.now_in_future += 1
            quality.note("now_in_future", f"{local:%H:%M} local: {row.msg_answer}")


_ASKS = re.compile(r"\?|\byes or no\b|да\W+или\W+нет", re.IGNORECASE)


def _check_yes(rows: list[LogRecord], quality: Quality) -> None:
    for before, row in itertools.pairwise(rows):
        if re.sub(r"[^\w\s]", "", row.msg_question.lower()).strip() not in _YES:
            continue
        quality.bare_yes += 1
        if not _ASKS.search(before.msg_answer):
            quality.unasked_yes += 1
            quality.note("unasked_yes", f"{before.msg_answer} -> {row.msg_question}")


def _check_row(row: LogRecord, quality: Quality, asr_comments: frozenset[str], utc_offset: int | None) -> None:
    texts = (row.msg_question, row.msg_answer)
    if is_voice(row):
        quality.phone_rows += 1
        if any(talk.chat_only(text, "en_US") or talk.chat_only(text, "ru_RU") or _EMOJI.search(text)
               for text in texts):
            quality.phone_chat_only += 1
            quality.note("phone_chat_only", " -> ".join(texts))
    elif row.msg_comment in asr_comments:
        quality.asr_comments_off_phone += 1
        quality.note("asr_comments_off_phone", f"{row.channel_type}: {row.msg_comment}")
    if _CYRILLIC.search(row.msg_answer) and (errors := russian.grammar_errors(row.msg_answer)):
        quality.russian_errors += 1
        quality.note("russian_errors", f"{', '.join(errors)}: {row.msg_answer}")
    if any(_PLACEHOLDER.search(text) for text in (*texts, row.session_tag, row.msg_comment)):
        quality.placeholder_leaks += 1
        quality.note("placeholder_leaks", " -> ".join(texts))
    _check_now(row, quality, utc_offset)
    _check_tense(row, quality, utc_offset)


def _check_session(rows: list[LogRecord], quality: Quality) -> None:
    labels = sorted({row.session_tag for row in rows if row.session_tag})
    if len({row.session_tag for row in rows}) > 1:
        quality.label_changes += 1
        quality.note("label_changes", f"{rows[0].session_id[-12:]}: {' / '.join(labels) or '(none)'}")
    if labels:
        quality.labelled_sessions += 1
        facts = SessionFacts.of(rows)
        verdicts = [label_contradicted(label, facts) for label in labels]
        if None in verdicts:
            quality.unknown_labels += 1
        if any(verdicts):
            quality.contradicting_labels += 1
            quality.note("contradicting_labels", f"{rows[0].session_id[-12:]}: {' / '.join(labels)}")
    _check_quotes(rows, quality)
    _check_yes(rows, quality)


def measure_quality(sessions: dict[str, list[LogRecord]], utc_offset: int | None = None) -> Quality:
    """The text-quality counts over sessions given as their rows in time order."""
    quality = Quality()
    asr_comments = scenario_kinds()[1]
    for rows in sessions.values():
        for row in rows:
            _check_row(row, quality, asr_comments, utc_offset)
        _check_session(rows, quality)
    return quality


def _sessions(records: Iterable[LogRecord]) -> dict[str, list[LogRecord]]:
    sessions: dict[str, list[LogRecord]] = defaultdict(list)
    for record in records:
        sessions[record.session_id].append(record)
    for rows in sessions.values():
        rows.sort(key=lambda row: row.msg_rt)  # stable: rows of one moment keep their file order
    return sessions


def _phrase_measures(rows: list[LogRecord]) -> dict:
    phrases = [row.msg_question for row in rows if is_client_phrase(row)]
    counts = Counter(phrases)
    catch_all = [row.msg_question for row in rows if is_client_phrase(row) and is_catch_all(row)]
    return {
        "client_rows": len(phrases),
        "distinct_phrases": len(counts),
        "distinct_per_window": _windows(phrases),
        "once_only_share": _share(sum(1 for phrase in phrases if counts[phrase] == 1), len(phrases)),
        "long_phrase_share": _share(sum(1 for phrase in phrases if len(phrase.split()) >= LONG_PHRASE_WORDS),
                                    len(phrases)),
        "catch_all_rows": len(catch_all),
        "catch_all_share": _share(len(catch_all), len(phrases)),
        "catch_all_distinct_share": _share(len(set(catch_all)), len(catch_all)),
    }


def _session_measures(sessions: dict[str, list[LogRecord]]) -> dict:
    firsts = [rows[0] for rows in sessions.values()]
    facts = [SessionFacts.of(rows) for rows in sessions.values()]
    labels = Counter(first.session_tag for first in firsts if first.session_tag)
    chat_gaps = [gap for rows in sessions.values() if not is_voice(rows[0]) for gap in _gaps(rows)]
    phone_gaps = [gap for rows in sessions.values() if is_voice(rows[0]) for gap in _gaps(rows)]
    waits = [wait for rows in sessions.values() if (wait := _queue_wait(rows)) is not None]
    return {
        "sessions": len(sessions),
        "channels": _top(Counter(first.channel_type for first in firsts), len(firsts), size=len(CHANNELS_BY_ID)),
        "sessions_per_day": dict(sorted(Counter(first.session_start_time.date().isoformat()
                                                for first in firsts).items())),
        "transfer_share": _share(sum(any(row.msg_switched for row in rows) for rows in sessions.values()),
                                 len(sessions)),
        "no_operators_share": _share(sum(fact.no_operators for fact in facts), len(sessions)),
        "agent_joined_share": _share(sum(fact.agent_joined for fact in facts), len(sessions)),
        "session_phrases": Distribution.of([sum(map(is_client_phrase, rows)) for rows in sessions.values()]),
        "session_seconds": Distribution.of([(rows[-1].msg_rt - rows[0].msg_rt).total_seconds()
                                            for rows in sessions.values()]),
        "chat_turn_gap": Distribution.of(chat_gaps),
        "phone_turn_gap": Distribution.of(phone_gaps),
        "queue_wait": Distribution.of(waits),
        "labelled_share": _share(sum(labels.values()), len(firsts)),
        "labels": _top(labels, len(firsts)),
    }


def _client_measures(sessions: dict[str, list[LogRecord]]) -> dict:
    days: dict[str, set] = defaultdict(set)
    for rows in sessions.values():
        days[rows[0].client_id].add(rows[0].session_start_time.date())
    returning = sum(1 for seen in days.values() if len(seen) > 1)
    return {"clients": len(days), "returning_clients": returning, "returning_share": _share(returning, len(days))}


def profile_records(records: Iterable[LogRecord], files: Sequence[str] = (),
                    utc_offset: int | None = None) -> Profile:
    rows = list(records)
    sessions = _sessions(rows)
    hourly = [0] * 24
    for row in rows:
        hourly[row.msg_rt.hour] += 1
    comments = Counter(row.msg_comment for row in rows if row.msg_comment)
    return Profile(
        files=list(files), rows=len(rows), hourly_rows=hourly,
        **_session_measures(sessions), **_client_measures(sessions), **_phrase_measures(rows),
        comment_share=_share(sum(comments.values()), len(rows)), comments=_top(comments, len(rows)),
        tag_share=_share(sum(1 for row in rows if row.msg_tags), len(rows)),
        quality=measure_quality(sessions, utc_offset),
    )


class StatsInputError(Exception):
    """A path that is not there, or a file that is not an export: one line for the user."""


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder gives its ``*.csv`` files, sorted."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(path.glob("*.csv"))
            if not inside:
                raise StatsInputError(f"{path}: the folder holds no .csv files")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise StatsInputError(f"{path}: no such file or folder")
    return found


def _compact(record: LogRecord, moments: dict) -> LogRecord:
    """The same row holding one copy of each repeated text and session time: a day's rows fit in memory."""
    shared = sys.intern
    return record._replace(
        session_id=shared(record.session_id), session_tag=shared(record.session_tag),
        session_start_time=moments.setdefault(record.session_start_time, record.session_start_time),
        session_end_time=moments.setdefault(record.session_end_time, record.session_end_time),
        channel_type=shared(record.channel_type), channel_name=shared(record.channel_name),
        client_id=shared(record.client_id), client_name=shared(record.client_name),
        project_name=shared(record.project_name), state_before=shared(record.state_before),
        state_after=shared(record.state_after), msg_comment=shared(record.msg_comment),
        msg_tags=shared(record.msg_tags))


def _records(paths: list[Path]) -> Iterable[LogRecord]:
    moments: dict = {}
    for path in paths:
        try:
            for record in iter_records(path):
                yield _compact(record, moments)
        except (ValueError, UnicodeDecodeError) as error:
            raise StatsInputError(f"{path}: not a JAICP export ({str(error).removeprefix(f'{path}: ')})") from None


def profile_files(paths: Iterable[str | Path], utc_offset: int | None = None) -> Profile:
    files = expand_paths(paths)
    return profile_records(_records(files), [str(path) for path in files], utc_offset)


_BARS = "▁▂▃▄▅▆▇█"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _spark(values: list[int]) -> str:
    top = max(values) or 1
    return "".join(_BARS[min(len(_BARS) - 1, value * len(_BARS) // (top + 1))] for value in values)


def _peak(hourly: list[int]) -> str:
    return f"{hourly.index(max(hourly))}h" if any(hourly) else "—"


def _dist(name: str, dist: Distribution, unit: str = "s") -> str:
    if not dist.count:
        return f"  {name:<22} —"
    return (f"  {name:<22} median {dist.p50:g}{unit}, p10 {dist.p10:g}{unit}, p90 {dist.p90:g}{unit}, "
            f"p95 {dist.p95:g}{unit}, max {dist.max:g}{unit} (n={dist.count})")


def _shares(shares: dict[str, float], limit: int = 6) -> str:
    return ", ".join(f"{key} {_percent(share)}" for key, share in list(shares.items())[:limit]) or "—"


def _quality_lines(quality: Quality) -> list[str]:
    counts = [
        ("phone rows with chat-only wording", quality.phone_chat_only, quality.phone_rows),
        ("placeholder leaks", quality.placeholder_leaks, None),
        ("labels contradicted by the dialog", quality.contradicting_labels, quality.labelled_sessions),
        ("sessions whose label changes", quality.label_changes, None),
        ("ASR comments off the phone line", quality.asr_comments_off_phone, None),
        ("quoted emails not the client's", quality.foreign_emails, quality.quoted_emails),
        ("quoted phones not the client's", quality.foreign_phones, quality.quoted_phones),
        ('"as of" times later than local', quality.now_in_future, quality.now_quotes),
        ("dates said in the wrong tense", quality.wrong_tense_dates, quality.tensed_dates),
        ('bare "yes" after no question', quality.unasked_yes, quality.bare_yes),
        ("replies with Russian agreement errors", quality.russian_errors, None),
    ]
    lines = ["text quality (0 is right)"]
    for name, count, whole in counts:
        of = f" of {whole}" if whole is not None else ""
        lines.append(f"  {name:<36} {count}{of}")
    if quality.unknown_labels:
        lines.append(f"  labels no scenario declares (not judged) {quality.unknown_labels}")
    for kind, examples in quality.examples.items():
        lines.extend(f"    e.g. {kind}: {example}" for example in examples[:1])
    return lines


def render(profile: Profile) -> str:
    days = ", ".join(f"{day} {count}" for day, count in profile.sessions_per_day.items())
    window = "—" if profile.distinct_per_window is None else f"{profile.distinct_per_window:g}"
    lines = [
        f"files     {', '.join(profile.files) or '(records)'}",
        f"rows {profile.rows}, sessions {profile.sessions}, clients {profile.clients}, returning clients "
        f"{profile.returning_clients} ({_percent(profile.returning_share)})",
        f"sessions by start day: {days or '—'}",
        f"channels  {_shares(profile.channels, 10)}",
        f"rows by UTC hour  {_spark(profile.hourly_rows)}  (peak {_peak(profile.hourly_rows)})",
        "sessions",
        _dist("client phrases", profile.session_phrases, ""),
        _dist("duration", profile.session_seconds),
        _dist("chat turn gap", profile.chat_turn_gap),
        _dist("phone turn gap", profile.phone_turn_gap),
        _dist("queue wait for agent", profile.queue_wait),
        f"  transfers {_percent(profile.transfer_share)}, agent joined {_percent(profile.agent_joined_share)}, "
        f"NoOperatorsOnline {_percent(profile.no_operators_share)}",
        f"  labelled {_percent(profile.labelled_share)}: {_shares(profile.labels, 4)}",
        f"rows with a comment {_percent(profile.comment_share)}: {_shares(profile.comments, 4)}; "
        f"with tags {_percent(profile.tag_share)}",
        "client phrases",
        f"  {profile.client_rows} rows, {profile.distinct_phrases} distinct, {window} distinct per {WINDOW_ROWS} rows, "
        f"once-only {_percent(profile.once_only_share)}, {LONG_PHRASE_WORDS}+ words "
        f"{_percent(profile.long_phrase_share)}",
        f"  /CatchAll {profile.catch_all_rows} rows ({_percent(profile.catch_all_share)}), "
        f"distinct {_percent(profile.catch_all_distinct_share)}",
        *_quality_lines(profile.quality),
    ]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", help="day files (CSV) or folders of them")
    parser.add_argument("--json", action="store_true", help="print the profile as one JSON object")
    parser.add_argument("--utc-offset", type=int, default=None, metavar="HOURS",
                        help="the audience's UTC offset for local times (default: the locale's, -5 en, +3 ru)")


def run(args: argparse.Namespace) -> int:
    try:
        profile = profile_files(args.files, args.utc_offset)
    except StatsInputError as error:
        print(f"jaicp-mock stats: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(profile.to_json(), ensure_ascii=False, indent=1) if args.json else render(profile))
    return 0


STATS = Command("stats", "profile day files",
                "A data profile of day files: traffic, sessions, phrases and text-quality counts.",
                add_arguments, run)
"""The ``jaicp-mock stats`` subcommand."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jaicp-mock stats", description=__doc__.splitlines()[0])
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except BrokenPipeError:  # `python -m generators.stats ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
