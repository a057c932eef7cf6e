"""Bot-domain scenario content (goals as graphs of steps, chat and phone texts) per locale, loaded from TOML.

The files are data; this module checks them against FORMAT.md once at load (naming the file and the key of
anything wrong) and compiles every text into a :class:`Template`, so that generating a row does no parsing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from generators.memo import ByIdentity

SCENARIO_DIR = Path(__file__).resolve().parent
LOCALES: tuple[str, ...] = ("en_US", "ru_RU")
DOMAINS: tuple[str, ...] = ("banking", "delivery", "telecom", "retail")

COMMON_PLACEHOLDERS: frozenset[str] = frozenset({
    "first_name", "agent_name", "company", "street_address", "city", "order_number", "tracking_number",
    "card_last4", "phone_number", "email", "code", "account_last4", "now", "slot", "count",
})
INTEGER_PLACEHOLDERS: frozenset[str] = frozenset({"count"})
"""Common placeholders that hold a plain integer (usable with ``{name@noun}``)."""
CASES: tuple[str, ...] = ("nomn", "gent", "datv", "accs", "ablt", "loct")
CASE_LOCALES: frozenset[str] = frozenset({"ru_RU"})
PHASES: tuple[str, ...] = ("greet", "identify", "act", "close")
MATTER_STATES: tuple[str, ...] = ("new", "told", "working", "try", "done", "escalated")
"""Where an agent chat's matter stands after the agent's last line: ``new`` (the client has not said what they
need), ``told`` (they have), ``working`` (the agent needs a moment), ``try`` (the agent asked the client to try
something), ``done`` (fixed), ``escalated`` (handed on: a ticket, another team, an e-mail later)."""
SETTLED: frozenset[str] = frozenset({"done", "escalated"})
"""The states an agent chat may close in."""
SLOTS: frozenset[str] = frozenset({"order_number", "tracking_number", "card_last4", "account_last4", "phone_number",
                                   "email"})
"""What a client gives to be found or served; once given, nobody in the session asks for it again."""
ENDINGS: tuple[str, ...] = ("done", "failed")

CASE_MARK = "#"
"""A compiled ``{city:loct}`` reads ``{city#loct}``: ``str.format_map`` then asks the filler for that key."""

_GENDERED = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")
_WITH_V = re.compile(r"(?<![\w-])([Вв])о? \{(\w+):(loct|accs)\}")
"""«в {city:loct}»: whether it is «в» or «во» depends on the value («во Владивостоке»), so the value takes it."""
_FIRST_NAME = r"\{first_name(?::\w+)?\}"
_UNNAMED = (
    (re.compile(rf"^{_FIRST_NAME},?\s*(\w)"), lambda match: match.group(1).upper()),  # «{first_name}, добрый»
    (re.compile(rf",\s*{_FIRST_NAME}"), lambda match: ""),                           # "All set, {first_name}."
    (re.compile(rf"\s+{_FIRST_NAME}"), lambda match: ""),                            # "Hi {first_name}, this"
)
_STATE = re.compile(r"^(/[A-Za-z0-9_]+)+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2190-\u21FF\u2300-\u23FF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]")
_CHAT_ONLY = {
    "en_US": re.compile(
        r"\b(typ(e|ed|es|ing)|tap(s|ped|ping)?|click\w*|buttons?|below|links?|chat\w*)\b"
        r"|https?://|www\.|[•№→←↓↑▶►]|^\s*[-*] ", re.IGNORECASE),
    "ru_RU": re.compile(
        r"напиш\w*|нажм\w*|нажат\w*|кнопк\w*|ссылк\w*|чат\w*|выберите ниже"
        r"|\b(typ(e|ed|es|ing)|tap|click\w*|buttons?|links?|chat\w*)\b|https?://|www\.|[•№→←↓↑▶►]|^\s*[-*] ",
        re.IGNORECASE),
}
_YES_WORDS = {
    "en_US": frozenset({"yes", "yeah", "yep", "yup", "ya", "sure", "ok", "okay", "confirm", "correct",
                        "absolutely", "definitely", "affirmative", "uh-huh"}),
    "ru_RU": frozenset({"да", "ага", "угу", "конечно", "подтверждаю", "верно", "ок", "окей",
                        "согласен", "согласна"}),
}
_NO_WORDS = {
    "en_US": frozenset({"no", "nope", "nah"}),
    "ru_RU": frozenset({"нет", "неа", "не надо"}),
}
_WORD = re.compile(r"[^\W\d_][\w'-]*|\d+|\{[^}]*\}")


def without_name(text: str) -> str:
    """A scenario text with the client's name left out, as one says it to someone whose name one does not
    know: "Thank you, {first_name}, you're verified." -> "Thank you, you're verified."."""
    for pattern, instead in _UNNAMED:
        text = pattern.sub(instead, text)
    return text


class ScenarioError(ValueError):
    """A scenario file breaks FORMAT.md; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Template:
    """One text with its gendered forms resolved ahead of time."""

    male: str
    female: str
    fields: tuple[str, ...]
    """Keys the filler is asked for, in order (``city#loct``, ``count@заказ``); empty when the text is final."""
    nameless: Template | None = None
    """The text without the client's first name («Hi {first_name}, this is Ann» -> «Hi, this is Ann»), for a
    client whose name the session does not know; None when the text has no name. In a client's phrase: the
    client gives their name."""
    slots: frozenset[str] = frozenset()
    """The ``SLOTS`` among the fields: in a client's phrase, what the client gives (an order number)."""


Texts = tuple[Template, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """What the client says at one point of a goal, and the bot's answer to exactly that."""

    name: str
    entry: bool
    state: str
    say: Texts
    voice: Texts
    buttons: Texts
    reply: Texts
    reply_voice: Texts
    offers_buttons: bool
    next: tuple[int, ...]
    """Indices into the goal's steps that may follow, likeliest first."""
    ends: str
    """``done``, ``failed``, or "" when the step leads on (the goal ends here only if the client stops)."""
    asks: bool
    """The chat replies ask something (a ``?``): the client answers with a ``next`` step or gives up."""
    answers: bool = False
    """A step that asks leads here: its phrases answer that question ("yes", a number), never misheard."""
    answered_by: tuple[tuple[str, int], ...] = ()
    """The reply asks for a slot (``SLOTS``): (slot, index of the ``next`` step whose every phrase gives it). A
    client who gave it earlier is not asked again: the bot answers as that step does, quoting it."""

    def asks_for(self, given: set[str]) -> bool:
        """The reply asks for one of the slots in ``given``."""
        return any(slot in given for slot, _ in self.answered_by)


@dataclass(frozen=True, slots=True)
class Goal:
    name: str
    weight: float
    tag: str
    comment: str
    label: str
    steps: tuple[Step, ...]
    entries: tuple[int, ...]
    """Indices of the steps a client may open the goal with."""


@dataclass(frozen=True, slots=True)
class Amount:
    """A money value (or a plain integer) drawn once per session."""

    name: str
    low: float
    high: float
    choices: tuple[float, ...]
    """When given, the value is one of these; otherwise log-uniform between low and high."""
    cents: bool
    integer: bool
    by: str = ""
    """A ``[values]`` name: the amount prices that value, from the range of the value drawn (``ranges``)."""
    ranges: tuple[tuple[float, float], ...] = ()
    """With ``by``: (min, max) for each of that value's choices, in their order."""
    same_as: str = ""
    """Another amount this one stands for (a duplicate charge is the disputed charge): one value for both,
    drawn from the range of whichever the session quotes first."""
    parts: tuple[str, ...] = ()
    """Amounts this one adds up (a bill is the plan and the one-time charges), then ``markup`` on top."""
    markup: tuple[float, float] = (0.0, 0.0)
    """With ``parts``: the share added (taxes and fees), drawn between these."""


@dataclass(frozen=True, slots=True)
class DaySpan:
    """A day relative to the phrase's day (``after`` empty) or to another date of the same session."""

    name: str
    low: int
    high: int
    after: str


@dataclass(frozen=True, slots=True)
class Opening:
    state: str
    reply: Texts
    reply_voice: Texts


@dataclass(frozen=True, slots=True)
class Exchange:
    """Client phrases that lead to one state and one set of replies (goodbye)."""

    state: str
    say: Texts
    voice: Texts
    reply: Texts
    reply_voice: Texts


@dataclass(frozen=True, slots=True)
class Fallback:
    state: str
    say: Texts
    voice: Texts
    reply: Texts
    reply_voice: Texts
    clarify: Texts
    clarify_voice: Texts


@dataclass(frozen=True, slots=True)
class OperatorTurn:
    phase: str
    goal: str
    client: Texts
    agent: Texts
    after: frozenset[str] = frozenset()
    """Act and close: the matter states (``MATTER_STATES``) after which the client lines fit."""
    leads: str = ""
    """Act: the state the agent's lines leave the matter in ("" keeps it)."""


Turns = tuple[OperatorTurn, ...]


@dataclass(frozen=True, slots=True)
class Operator:
    say: Texts
    voice: Texts
    switch_state: str
    switch_reply: Texts
    switch_reply_voice: Texts
    no_operators_state: str
    no_operators_reply: Texts
    no_operators_reply_voice: Texts
    waiting: Texts
    finished_state: str
    finished_reply: Texts
    turns: tuple[OperatorTurn, ...]

    def phase_turns(self, phase: str, goal: str) -> tuple[OperatorTurn, ...]:
        """The turns of a phase that fit a session with this goal (goal-specific ones first when any)."""
        return _PHASE_TURNS.get(self.turns, lambda: _phase_turns(self.turns, phase, goal), (phase, goal))

    def matter_turns(self, phase: str, goal: str, state: str) -> tuple[Turns, Turns]:
        """The act or close turns whose client lines fit after ``state``: this goal's own, and those for any goal."""
        return _MATTER_TURNS.get(self.turns, lambda: _matter_turns(self.turns, phase, goal, state),
                                 (phase, goal, state))


# By identity: hashing the turns themselves would cost more than the lookup.
_PHASE_TURNS: ByIdentity[tuple[OperatorTurn, ...]] = ByIdentity()
_MATTER_TURNS: ByIdentity[tuple[Turns, Turns]] = ByIdentity()


def _matter_turns(turns: Turns, phase: str, goal: str, state: str) -> tuple[Turns, Turns]:
    fitting = [turn for turn in turns if turn.phase == phase and state in turn.after]
    return (tuple(turn for turn in fitting if goal and turn.goal == goal),
            tuple(turn for turn in fitting if not turn.goal))


def _phase_turns(turns: tuple[OperatorTurn, ...], phase: str, goal: str) -> tuple[OperatorTurn, ...]:
    specific = tuple(turn for turn in turns if turn.phase == phase and turn.goal == goal)
    return specific or tuple(turn for turn in turns if turn.phase == phase and not turn.goal)


@dataclass(frozen=True, slots=True)
class Labels:
    done: tuple[str, ...]
    failed: tuple[str, ...]
    gave_up: tuple[str, ...]
    transferred: tuple[str, ...]
    no_operators: tuple[str, ...]
    satisfied: tuple[str, ...]
    unsatisfied: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comments:
    general: tuple[str, ...]
    fallback: tuple[str, ...]
    asr: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    domain: str
    locale: str
    companies: tuple[str, ...]
    mean_turns: float
    second_goal_share: float
    values: dict[str, tuple[str, ...]]
    amounts: dict[str, Amount]
    dates: dict[str, DaySpan]
    """In dependency order: a date declared ``after`` another comes after it."""
    start: Opening
    goals: tuple[Goal, ...]
    fallback: Fallback
    operator: Operator
    goodbye: Exchange
    labels: Labels
    comments: Comments

    def goal(self, name: str) -> Goal:
        return next(goal for goal in self.goals if goal.name == name)

    def misheard_as(self, goal: Goal, voice: bool) -> tuple[tuple[Step, Texts], ...]:
        """The wrong but plausible answers to a misheard ask of ``goal``: an entry step of another goal of its
        topic (tag) and that step's replies that quote nothing, since the client gave no order number, amount or
        card yet. Empty: the bot falls back instead."""
        return _MISHEARD.get(goal, lambda: _misheard_as(self.goals, goal, voice), voice)


_MISHEARD: ByIdentity[tuple[tuple[Step, Texts], ...]] = ByIdentity()
"""By identity, as phase_turns: the goals live as long as their cached scenario."""


def _misheard_as(goals: tuple[Goal, ...], goal: Goal, voice: bool) -> tuple[tuple[Step, Texts], ...]:
    found = []
    for other in goals:
        if other is goal or other.tag != goal.tag:
            continue
        for entry in other.entries:
            step = other.steps[entry]
            plain = tuple(reply for reply in (step.reply_voice if voice else step.reply) if not reply.fields)
            if plain:
                found.append((step, plain))
    return tuple(found)


# -- reading --------------------------------------------------------------------------------------------------


_TOP_KEYS = frozenset({"domain", "locale", "company", "session", "values", "amounts", "dates", "start", "goals",
                       "fallback", "operator", "goodbye", "labels", "comments"})
_STEP_KEYS = frozenset({"name", "entry", "state", "say", "voice", "buttons", "reply", "reply_voice",
                        "offers_buttons", "next", "ends"})
_GOAL_KEYS = frozenset({"name", "weight", "tag", "comment", "label", "steps"})
_OPERATOR_KEYS = frozenset({"say", "voice", "switch_state", "switch_reply", "switch_reply_voice",
                            "no_operators_state", "no_operators_reply", "no_operators_reply_voice", "waiting",
                            "finished_state", "finished_reply", "turns"})
_LABEL_KEYS = ("done", "failed", "gave_up", "transferred", "no_operators", "satisfied", "unsatisfied")
_LABEL_MINIMUM = {"done": 2, "failed": 1, "gave_up": 1, "transferred": 1, "no_operators": 1}
_COMMENT_MINIMUM = {"general": 3, "fallback": 2, "asr": 2}


class _Reader:
    """Walks one parsed TOML document, collecting checked values and naming the key on any error."""

    def __init__(self, path: Path, locale: str) -> None:
        self.path = path
        self.locale = locale
        self.placeholders: frozenset[str] = COMMON_PLACEHOLDERS
        self.integers: frozenset[str] = INTEGER_PLACEHOLDERS

    def fail(self, key: str, reason: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {key}: {reason}")

    def only(self, data: dict, key: str, allowed: frozenset[str] | tuple[str, ...]) -> None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise self.fail(key, f"unknown key(s) {', '.join(unknown)}; accepted: {', '.join(sorted(allowed))}")

    def table(self, data: dict, key: str, *, required: bool = True) -> dict:
        value = data.get(key.rsplit(".", 1)[-1])
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "a table is required")
        return value

    def text(self, data: dict, key: str, *, pattern: re.Pattern | None = None, default: str | None = None) -> str:
        value = data.get(key.rsplit(".", 1)[-1], default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty string is required")
        if pattern is not None and not pattern.match(value):
            raise self.fail(key, f"{value!r} does not match {pattern.pattern}")
        return value

    def flag(self, data: dict, key: str) -> bool:
        value = data.get(key.rsplit(".", 1)[-1], False)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false is required")
        return value

    def number(self, data: dict, key: str, low: float, high: float, *, default: float | None = None) -> float:
        value = data.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.fail(key, f"a number from {low} to {high} is required, found {value!r}")
        return float(value)

    def strings(self, data: dict, key: str, minimum: int, *, required: bool = True) -> tuple[str, ...]:
        value = data.get(key.rsplit(".", 1)[-1])
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, "a list of non-empty strings is required")
        if len(value) < minimum:
            raise self.fail(key, f"at least {minimum} entries are required, found {len(value)}")
        repeated = sorted({item for item in value if value.count(item) > 1})
        if repeated:
            raise self.fail(key, f"entries repeat: {repeated[0]!r}")
        return tuple(value)

    def templates(self, data: dict, key: str, minimum: int, *, required: bool = True,
                  phone: bool = False) -> Texts:
        texts = self.strings(data, key, minimum, required=required)
        if phone:
            for text in texts:
                self.check_phone(key, text)
        return tuple(self.compile(key, text) for text in texts)

    def check_phone(self, key: str, text: str) -> None:
        if _EMOJI.search(text):
            raise self.fail(key, f"emoji in a phone text: {text!r}")
        found = _CHAT_ONLY[self.locale].search(text)
        if found:
            raise self.fail(key, f"chat-only wording {found.group(0).strip()!r} in a phone text: {text!r}")

    def compile(self, key: str, text: str) -> Template:
        if self.locale in CASE_LOCALES:
            text = _WITH_V.sub(lambda match: f"{{{match.group(2)}:{match.group(3)}{CASE_MARK}{match.group(1)}}}", text)
        male = _GENDERED.sub(lambda match: match.group(1), text)
        female = _GENDERED.sub(lambda match: match.group(2), text)
        if any(char in male for char in "[]|"):
            raise self.fail(key, f"stray '[', ']' or '|' in {text!r}: gendered forms are written [male|female]")
        try:
            parsed = list(string.Formatter().parse(male))
        except ValueError as error:
            raise self.fail(key, f"bad placeholder syntax in {text!r}: {error}") from None
        fields = [self.field(key, text, field, spec, conversion)
                  for _literal, field, spec, conversion in parsed if field is not None]
        if not fields:
            return Template(male, female, ())
        compiled_male, compiled_female = (_compile_text(form) for form in (male, female))
        nameless = self.compile(key, without_name(text)) if "first_name" in fields else None
        return Template(compiled_male, compiled_female, tuple(fields), nameless, SLOTS.intersection(fields))

    def field(self, key: str, text: str, field: str, spec: str | None, conversion: str | None) -> str:
        """The filler key of one ``{...}``, after checking the placeholder, its case or its noun."""
        name, at, noun = field.partition("@")
        if conversion or name not in self.placeholders:
            raise self.fail(key, f"unknown placeholder {{{name}}} in {text!r}")
        if spec and at:
            raise self.fail(key, f"{{{field}:{spec}}} mixes a case and a noun in {text!r}")
        if spec:
            if self.locale not in CASE_LOCALES:
                raise self.fail(key, f"{{{name}:{spec}}}: cases are written in {', '.join(CASE_LOCALES)} only")
            case = spec.partition(CASE_MARK)[0]  # "loct#в": the value takes the «в» before it (``_WITH_V``)
            if case not in CASES:
                raise self.fail(key, f"unknown case {case!r} in {text!r}; accepted: {', '.join(CASES)}")
            return f"{name}{CASE_MARK}{spec}"
        if at:
            if self.locale not in CASE_LOCALES:
                raise self.fail(key, f"{{{field}}}: agreement is written in {', '.join(CASE_LOCALES)} only")
            if name not in self.integers:
                raise self.fail(key, f"{{{field}}}: only integer placeholders agree with a noun "
                                     f"({', '.join(sorted(self.integers))})")
            if not noun.strip() or not noun.replace("-", "").isalpha():
                raise self.fail(key, f"{{{field}}}: the noun must be one word in the nominative singular")
        return field


def _compile_text(text: str) -> str:
    """``{city:loct}`` -> ``{city#loct}``, so that ``format_map`` passes the case to the filler's key."""
    return re.sub(r"\{([^{}:]+):([a-z]+(?:#[Вв])?)\}", lambda m: "{" + m.group(1) + CASE_MARK + m.group(2) + "}", text)


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(_GENDERED.sub(lambda match: match.group(1), text))]


def is_bare_answer(text: str, locale: str) -> bool:
    """A phrase that only makes sense after a question: "yes", "nope", a number, a bare value."""
    words = _words(text)
    if not words:
        return False
    if all(word.isdigit() or word.startswith("{") for word in words):
        return True
    if words[0] in _YES_WORDS[locale] and len(words) <= 3:
        return True
    return " ".join(words) in _NO_WORDS[locale] or (len(words) <= 2 and words[0] in _NO_WORDS[locale])


# -- sections ---------------------------------------------------------------------------------------------------


def _values(reader: _Reader, data: dict) -> dict[str, tuple[str, ...]]:
    table = reader.table(data, "values", required=False)
    for name in table:
        if not _NAME.match(name):
            raise reader.fail(f"values.{name}", "value names are snake_case")
    return {name: reader.strings(table, f"values.{name}", 3) for name in table}


def _amounts(reader: _Reader, data: dict, values: dict[str, tuple[str, ...]]) -> dict[str, Amount]:
    amounts = {}
    for name, spec in reader.table(data, "amounts", required=False).items():
        key = f"amounts.{name}"
        if not _NAME.match(name):
            raise reader.fail(key, "amount names are snake_case")
        if not isinstance(spec, dict):
            raise reader.fail(key, "an inline table { min, max } or { choices } is required")
        reader.only(spec, key, ("min", "max", "choices", "cents", "integer", "by", "ranges", "same_as", "sum",
                                "markup"))
        integer = reader.flag(spec, f"{key}.integer")
        cents = bool(spec.get("cents", not integer))
        if not isinstance(spec.get("cents", cents), bool):
            raise reader.fail(f"{key}.cents", "true or false is required")
        if integer and spec.get("cents"):
            raise reader.fail(key, "an integer amount has no cents")
        if "choices" in spec:
            if "min" in spec or "max" in spec:
                raise reader.fail(key, "give either choices or min and max, not both")
            choices = spec["choices"]
            if (not isinstance(choices, list) or len(choices) < 2
                    or not all(isinstance(c, int | float) and not isinstance(c, bool) and c > 0 for c in choices)):
                raise reader.fail(f"{key}.choices", "a list of >= 2 positive numbers is required")
            if integer and not all(float(c).is_integer() for c in choices):
                raise reader.fail(f"{key}.choices", "an integer amount has whole choices")
            amounts[name] = Amount(name, min(choices), max(choices), tuple(float(c) for c in choices), cents,
                                   integer)
            continue
        if "sum" in spec:
            amounts[name] = _sum(reader, spec, key, amounts, cents)
            continue
        if "by" in spec:
            by = reader.text(spec, f"{key}.by")
            ranges = _ranges(reader, spec, key, len(values.get(by, ())))
            if by not in values:
                raise reader.fail(f"{key}.by", f"no [values] entry named {by!r}")
            amounts[name] = Amount(name, min(low for low, _ in ranges), max(high for _, high in ranges), (), cents,
                                   integer, by=by, ranges=ranges)
            continue
        low = reader.number(spec, f"{key}.min", 0.01, 1e12)
        high = reader.number(spec, f"{key}.max", low, 1e12)
        if integer and not (low.is_integer() and high.is_integer()):
            raise reader.fail(key, "an integer amount has whole min and max")
        amounts[name] = Amount(name, low, high, (), cents, integer,
                               same_as=reader.text(spec, f"{key}.same_as") if "same_as" in spec else "")
    for name, amount in amounts.items():
        other = amounts.get(amount.same_as)
        if amount.same_as and (other is None or other.same_as or other.integer != amount.integer):
            raise reader.fail(f"amounts.{name}.same_as", f"{amount.same_as!r} is not another amount of the same "
                                                         "kind (money or integer) that stands for itself")
    return amounts


def _sum(reader: _Reader, spec: dict, key: str, earlier: dict[str, Amount], cents: bool) -> Amount:
    """``sum = ["plan_price", "charge"], markup = [0.08, 0.2]``: the parts, declared above, plus a share."""
    parts = reader.strings(spec, f"{key}.sum", 1)
    unknown = [part for part in parts if part not in earlier or earlier[part].integer or earlier[part].same_as
               or earlier[part].parts]
    if unknown:
        raise reader.fail(f"{key}.sum", f"{unknown[0]!r} is not a money amount declared above that stands for "
                                        "itself (no same_as, no sum)")
    markup = spec.get("markup", [0, 0])
    if not isinstance(markup, list) or len(markup) != 2:
        raise reader.fail(f"{key}.markup", "[low, high] shares (0.08 = 8%) are required")
    low = reader.number({"low": markup[0]}, f"{key}.markup.low", 0.0, 1.0)
    high = reader.number({"high": markup[1]}, f"{key}.markup.high", low, 1.0)
    return Amount(key.rsplit(".", 1)[-1], sum(earlier[part].low for part in parts) * (1 + low),
                  sum(earlier[part].high for part in parts) * (1 + high), (), cents, False, parts=parts,
                  markup=(low, high))


def _ranges(reader: _Reader, spec: dict, key: str, count: int) -> tuple[tuple[float, float], ...]:
    """``ranges = [[min, max], ...]``: one per choice of the value the amount prices."""
    ranges = spec.get("ranges")
    if (not isinstance(ranges, list) or len(ranges) != count
            or not all(isinstance(pair, list) and len(pair) == 2 for pair in ranges)):
        raise reader.fail(f"{key}.ranges", f"a list of {count} [min, max] pairs is required, one for each choice "
                                           "of the value named in `by`")
    found = []
    for number, pair in enumerate(ranges):
        low = reader.number({"min": pair[0]}, f"{key}.ranges[{number}].min", 0.01, 1e12)
        found.append((low, reader.number({"max": pair[1]}, f"{key}.ranges[{number}].max", low, 1e12)))
    return tuple(found)


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _dates(reader: _Reader, data: dict) -> dict[str, DaySpan]:
    table = reader.table(data, "dates", required=False)
    spans: dict[str, DaySpan] = {}
    for name, spec in table.items():
        key = f"dates.{name}"
        if not _NAME.match(name):
            raise reader.fail(key, "date names are snake_case")
        if not isinstance(spec, dict):
            raise reader.fail(key, "an inline table { min, max } or { after, min, max } is required")
        reader.only(spec, key, ("min", "max", "after"))
        low, high = spec.get("min"), spec.get("max")
        if not _whole(low) or not _whole(high) or low > high:
            raise reader.fail(key, "whole days min <= max are required")
        after = spec.get("after", "")
        if after:
            if after not in table or after == name:
                raise reader.fail(f"{key}.after", f"no other date named {after!r}")
            if low < 1:
                raise reader.fail(key, "a date after another is at least 1 day later (min >= 1)")
        elif low < 0 < high:
            raise reader.fail(key, "a date is either ahead (min >= 0) or past (max <= 0), not both")
        spans[name] = DaySpan(name, low, high, after)
    ordered: dict[str, DaySpan] = {}
    while len(ordered) < len(spans):
        ready = [span for name, span in spans.items()
                 if name not in ordered and (not span.after or span.after in ordered)]
        if not ready:
            raise reader.fail("dates", "dates declared after each other in a cycle")
        ordered.update((span.name, span) for span in ready)
    return ordered


def _step(reader: _Reader, data: Any, key: str, answers_question: bool) -> dict:
    if not isinstance(data, dict):
        raise reader.fail(key, "a [[goals.steps]] table is required")
    reader.only(data, key, _STEP_KEYS)
    entry = reader.flag(data, f"{key}.entry")
    ends = data.get("ends", "")
    if ends not in ("", *ENDINGS):
        raise reader.fail(f"{key}.ends", f"{ends!r} is not one of: {', '.join(ENDINGS)} (or empty)")
    return {
        "entry": entry,
        "state": reader.text(data, f"{key}.state", pattern=_STATE),
        "say": reader.templates(data, f"{key}.say", 2 if answers_question and not entry else 4),
        "voice": reader.templates(data, f"{key}.voice", 2, phone=True),
        "buttons": reader.templates(data, f"{key}.buttons", 1, required=False),
        "reply": reader.templates(data, f"{key}.reply", 2),
        "reply_voice": reader.templates(data, f"{key}.reply_voice", 2, phone=True),
        "offers_buttons": reader.flag(data, f"{key}.offers_buttons"),
        "next": reader.strings(data, f"{key}.next", 1, required=False),
        "ends": ends,
    }


def _goal(reader: _Reader, data: Any, number: int) -> Goal:
    if not isinstance(data, dict):
        raise reader.fail(f"goals[{number}]", "a [[goals]] table is required")
    name = reader.text(data, f"goals[{number}].name", pattern=_NAME)
    key = f"goals.{name}"
    reader.only(data, key, _GOAL_KEYS)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise reader.fail(f"{key}.steps", "at least 1 [[goals.steps]] is required")
    names = [reader.text(step, f"{key}.steps[{i}].name", pattern=_NAME) if isinstance(step, dict) else ""
             for i, step in enumerate(raw_steps)]
    if len(set(names)) != len(names):
        raise reader.fail(f"{key}.steps", "step names repeat")
    for step_name, step in zip(names, raw_steps, strict=True):
        targets = reader.strings(step, f"{key}.steps.{step_name}.next", 1, required=False)
        unknown = [target for target in targets if target not in names]
        if unknown:
            raise reader.fail(f"{key}.steps.{step_name}.next", f"no steps named {', '.join(unknown)} in goal {name!r}")
    followed = {target for step in raw_steps for target in step.get("next", ())}
    lost = [step_name for step_name, step in zip(names, raw_steps, strict=True)
            if step.get("entry") is not True and step_name not in followed]
    if lost:
        raise reader.fail(f"{key}.steps.{lost[0]}", "never reached: not entry = true and in no step's `next`")
    parts = [_step(reader, step, f"{key}.steps.{step_name}", step_name in followed)
             for step_name, step in zip(names, raw_steps, strict=True)]
    index_of = {step_name: i for i, step_name in enumerate(names)}
    steps = []
    for step_name, part in zip(names, parts, strict=True):
        step_key = f"{key}.steps.{step_name}"
        follow = tuple(index_of[target] for target in part["next"])
        _check_step_logic(reader, step_key, step_name, part, [parts[i] for i in follow])
        asks = any("?" in reply.male for reply in part["reply"])
        if asks and not follow:
            raise reader.fail(f"{step_key}.next", "the reply asks a question: list the steps that answer it")
        steps.append(Step(name=step_name, next=follow, asks=asks, ends=part["ends"] or ("" if follow else "done"),
                          **{k: v for k, v in part.items() if k not in ("next", "ends")}))
    for step in steps:
        if step.buttons and not any(other.offers_buttons and index_of[step.name] in other.next for other in steps):
            raise reader.fail(f"{key}.steps.{step.name}.buttons",
                              "buttons are tapped only after a step with offers_buttons = true leads here")
    answering = {target for step in steps if step.asks for target in step.next}
    steps = [dataclasses.replace(step, answers=i in answering, answered_by=_answered_by(step, steps))
             for i, step in enumerate(steps)]
    entries = tuple(i for i, step in enumerate(steps) if step.entry)
    if not entries:
        raise reader.fail(f"{key}.steps", "at least one step needs entry = true")
    return Goal(
        name=name,
        weight=reader.number(data, f"{key}.weight", 0.001, 1e6),
        tag=reader.text(data, f"{key}.tag"),
        comment=reader.text(data, f"{key}.comment"),
        label=reader.text(data, f"{key}.label") if "label" in data else "",
        steps=tuple(steps),
        entries=entries,
    )


def _answered_by(step: Step, steps: list[Step]) -> tuple[tuple[str, int], ...]:
    """The slots a step's reply asks for (with a question or a bare «пришлите трек-номер»), each with the
    ``next`` step whose every phrase gives it."""
    found = []
    for target in step.next:
        given = [SLOTS.intersection(phrase.fields) for phrase in steps[target].say]
        found += [(slot, target) for slot in sorted(set.intersection(*map(set, given)))] if given else []
    return tuple(found)


def _check_step_logic(reader: _Reader, key: str, name: str, part: dict, following: list[dict]) -> None:
    """Answers only after a question: entry steps say no bare "yes"/number, and a bare yes needs a no beside."""
    locale = reader.locale
    if part["entry"]:
        if name in ("yes", "no", "confirm", "decline"):
            raise reader.fail(f"{key}.entry", "a step that answers a question is never entry = true")
        for field in ("say", "voice"):
            for template in part[field]:
                if is_bare_answer(template.male, locale):
                    raise reader.fail(f"{key}.{field}", f"{template.male!r} answers a question: an entry step "
                                                        "cannot hold it (move it to a step in a `next`)")
    if part["offers_buttons"] and not any(step["buttons"] for step in following):
        raise reader.fail(f"{key}.offers_buttons", "no step in `next` has buttons to tap")
    yes = any(_says_yes(step, locale) for step in following)
    no = any(_says_no(step, locale) for step in following)
    if yes and not no:
        raise reader.fail(f"{key}.next", "a yes-step follows: list a no-step beside it")
    if yes or no:
        for field in ("reply", "reply_voice"):
            silent = [template.male for template in part[field] if "?" not in template.male]
            if silent:
                raise reader.fail(f"{key}.{field}", f"{silent[0]!r} asks nothing, yet a yes/no step follows it")


def _says_yes(step: dict, locale: str) -> bool:
    """Most of the step's phrases are a bare yes ("yes please", «да, давайте»): it answers a yes/no question."""
    bare = [t for t in step["say"] if is_bare_answer(t.male, locale) and _words(t.male)[0] in _YES_WORDS[locale]]
    return 2 * len(bare) >= len(step["say"])


def _says_no(step: dict, locale: str) -> bool:
    """Most of the step's phrases open with a no ("no thanks", «нет, не надо»)."""
    starts = {phrase.split()[0] for phrase in _NO_WORDS[locale]}
    opening = [t for t in step["say"] if _words(t.male)[:1] and _words(t.male)[0] in starts]
    return 2 * len(opening) >= len(step["say"])


def _operator(reader: _Reader, data: dict, goal_names: set[str]) -> Operator:
    table = reader.table(data, "operator")
    reader.only(table, "operator", _OPERATOR_KEYS)
    turns = []
    raw_turns = table.get("turns")
    if not isinstance(raw_turns, list):
        raise reader.fail("operator.turns", "[[operator.turns]] are required")
    for number, turn in enumerate(raw_turns):
        key = f"operator.turns[{number}]"
        if not isinstance(turn, dict):
            raise reader.fail(key, "a table is required")
        reader.only(turn, key, ("phase", "goal", "client", "agent", "after", "leads"))
        phase = turn.get("phase")
        if phase not in PHASES:
            raise reader.fail(f"{key}.phase", f"{phase!r} is not one of: {', '.join(PHASES)}")
        goal = turn.get("goal", "")
        if goal and goal not in goal_names:
            raise reader.fail(f"{key}.goal", f"no goal named {goal!r}")
        after, leads = _matter(reader, turn, key, phase)
        client_minimum = 0 if phase == "greet" or after == {"new"} else 2  # the client tells it in the goal's words
        turns.append(OperatorTurn(
            phase=phase, goal=goal,
            client=reader.templates(turn, f"{key}.client", client_minimum, required=client_minimum > 0),
            agent=reader.templates(turn, f"{key}.agent", 2), after=after, leads=leads,
        ))
    for phase in PHASES:
        if not any(turn.phase == phase and not turn.goal for turn in turns):
            raise reader.fail("operator.turns", f"no turn for phase {phase!r} that fits any goal (goal = \"\")")
    for state in ("new", "told"):
        if not any(not line.slots for turn in turns if turn.phase == "greet" and not turn.goal and state in turn.after
                   for line in turn.agent):
            raise reader.fail("operator.turns", f"no greeting for any goal that fits a chat whose matter is {state!r} "
                                                f"and quotes nothing the client gives ({', '.join(sorted(SLOTS))})")
    _check_matter(reader, turns)
    return Operator(
        say=reader.templates(table, "operator.say", 5),
        voice=reader.templates(table, "operator.voice", 3, phone=True),
        switch_state=reader.text(table, "operator.switch_state", pattern=_STATE),
        switch_reply=reader.templates(table, "operator.switch_reply", 2),
        switch_reply_voice=reader.templates(table, "operator.switch_reply_voice", 2, phone=True),
        no_operators_state=reader.text(table, "operator.no_operators_state", pattern=_STATE),
        no_operators_reply=reader.templates(table, "operator.no_operators_reply", 2),
        no_operators_reply_voice=reader.templates(table, "operator.no_operators_reply_voice", 2, phone=True),
        waiting=reader.templates(table, "operator.waiting", 3),
        finished_state=reader.text(table, "operator.finished_state", pattern=_STATE),
        finished_reply=reader.templates(table, "operator.finished_reply", 2),
        turns=tuple(turns),
    )


_MATTER_DEFAULTS = {"greet": (("new", "told"), ""), "act": (("told",), "done"), "close": (("done",), "")}
"""What a turn that says nothing follows and leads to: a greeting fits any chat; an ask once the matter is told,
fixed; thanks once it is fixed."""


def _matter(reader: _Reader, turn: dict, key: str, phase: str) -> tuple[frozenset[str], str]:
    """A turn's ``after`` and ``leads``: greetings may say whether the client has told their matter yet (a
    greeting that has "read your chat" needs something to read); act and close turns carry both (close turns
    lead nowhere); identify turns neither."""
    if phase not in _MATTER_DEFAULTS:
        if "after" in turn or "leads" in turn:
            raise reader.fail(key, "identify turns have no `after` and `leads`")
        return frozenset(), ""
    after_default, leads_default = _MATTER_DEFAULTS[phase]
    after = reader.strings(turn, f"{key}.after", 1, required=False) or after_default
    if phase == "greet" and ("leads" in turn or not set(after) <= {"new", "told"}):
        raise reader.fail(key, "a greeting follows \"new\" or \"told\" only, and leads nowhere")
    unknown = sorted(set(after) - set(MATTER_STATES))
    if unknown:
        raise reader.fail(f"{key}.after", f"{unknown[0]!r} is not one of: {', '.join(MATTER_STATES)}")
    if phase == "close" and not set(after) <= SETTLED:
        raise reader.fail(f"{key}.after", f"a chat closes only once the matter is {' or '.join(sorted(SETTLED))}")
    leads = turn.get("leads", leads_default)
    if phase == "close" and leads:
        raise reader.fail(f"{key}.leads", "a close turn leads nowhere: the chat ends")
    if leads and leads not in MATTER_STATES[2:]:
        raise reader.fail(f"{key}.leads", f"{leads!r} is not one of: {', '.join(MATTER_STATES[2:])} (or empty)")
    return frozenset(after), leads


def _check_matter(reader: _Reader, turns: list[OperatorTurn]) -> None:
    """Every agent chat can go on from wherever an act turn leaves it, to a settled matter and a close, with turns
    that fit any goal."""
    generic = [turn for turn in turns if not turn.goal and turn.phase == "act"]
    settles = set(SETTLED)
    while True:  # the states from which turns for any goal reach a settled matter
        more = {state for turn in generic if turn.leads in settles for state in turn.after} - settles
        if not more:
            break
        settles |= more
    reached = {"new", "told"} | {turn.leads for turn in turns if turn.leads}
    stuck = sorted(reached - settles)
    if stuck:
        raise reader.fail("operator.turns", f"no act turns for any goal (goal = \"\") lead a matter that is "
                                            f"{stuck[0]!r} on to done or escalated")
    for state in sorted(reached & SETTLED):
        if not any(turn.phase == "close" and not turn.goal and state in turn.after for turn in turns):
            raise reader.fail("operator.turns", f"no close turn for any goal follows a matter that is {state!r}")


def _simple_table(reader: _Reader, data: dict, key: str, keys: tuple[str, ...], minimum: dict[str, int]) -> dict:
    table = reader.table(data, key)
    reader.only(table, key, keys)
    return {name: reader.strings(table, f"{key}.{name}", minimum.get(name, 1), required=name in minimum)
            for name in keys}


def _read(path: Path, domain: str, locale: str) -> Scenario:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"{path}: {error}") from None
    reader = _Reader(path, locale)
    if data.get("domain") != domain or data.get("locale") != locale:
        raise reader.fail("domain/locale", f"must be {domain!r}/{locale!r} to match the file's place")
    reader.only(data, "(top level)", _TOP_KEYS)
    values = _values(reader, data)
    amounts, dates = _amounts(reader, data, values), _dates(reader, data)
    declared = [*values, *amounts, *dates]
    clashes = sorted({name for name in declared if declared.count(name) > 1 or name in COMMON_PLACEHOLDERS})
    if clashes:
        raise reader.fail("values/amounts/dates", f"{clashes[0]!r} is declared twice or is a common placeholder")
    reader.placeholders = COMMON_PLACEHOLDERS | frozenset(declared)
    reader.integers = INTEGER_PLACEHOLDERS | frozenset(name for name, amount in amounts.items() if amount.integer)

    session = reader.table(data, "session")
    reader.only(session, "session", ("mean_turns", "second_goal_share"))
    start = reader.table(data, "start")
    reader.only(start, "start", ("state", "reply", "reply_voice"))
    raw_goals = data.get("goals")
    if not isinstance(raw_goals, list) or len(raw_goals) < 10:
        raise reader.fail("goals", "at least 10 [[goals]] are required")
    goals = tuple(_goal(reader, goal, number) for number, goal in enumerate(raw_goals))
    names = [goal.name for goal in goals]
    if len(set(names)) != len(names):
        raise reader.fail("goals", "goal names repeat")
    fallback = reader.table(data, "fallback")
    reader.only(fallback, "fallback", ("state", "say", "voice", "reply", "reply_voice", "clarify", "clarify_voice"))
    goodbye = reader.table(data, "goodbye")
    reader.only(goodbye, "goodbye", ("state", "say", "voice", "reply", "reply_voice"))
    return Scenario(
        domain=domain,
        locale=locale,
        companies=reader.strings(data, "company", 2),
        mean_turns=reader.number(session, "session.mean_turns", 1.0, 30.0),
        second_goal_share=reader.number(session, "session.second_goal_share", 0.0, 0.5, default=0.1),
        values=values,
        amounts=amounts,
        dates=dates,
        start=Opening(
            state=reader.text(start, "start.state", pattern=_STATE),
            reply=reader.templates(start, "start.reply", 3),
            reply_voice=reader.templates(start, "start.reply_voice", 3, phone=True),
        ),
        goals=goals,
        fallback=Fallback(
            state=reader.text(fallback, "fallback.state", pattern=_STATE),
            say=reader.templates(fallback, "fallback.say", 12),
            voice=reader.templates(fallback, "fallback.voice", 4, phone=True),
            reply=reader.templates(fallback, "fallback.reply", 3),
            reply_voice=reader.templates(fallback, "fallback.reply_voice", 3, phone=True),
            clarify=reader.templates(fallback, "fallback.clarify", 2),
            clarify_voice=reader.templates(fallback, "fallback.clarify_voice", 2, phone=True),
        ),
        operator=_operator(reader, data, set(names)),
        goodbye=Exchange(
            state=reader.text(goodbye, "goodbye.state", pattern=_STATE),
            say=reader.templates(goodbye, "goodbye.say", 4),
            voice=reader.templates(goodbye, "goodbye.voice", 2, phone=True),
            reply=reader.templates(goodbye, "goodbye.reply", 2),
            reply_voice=reader.templates(goodbye, "goodbye.reply_voice", 2, phone=True),
        ),
        labels=Labels(**_simple_table(reader, data, "labels", _LABEL_KEYS, _LABEL_MINIMUM)),
        comments=Comments(**_simple_table(reader, data, "comments", tuple(_COMMENT_MINIMUM), _COMMENT_MINIMUM)),
    )


# -- public ------------------------------------------------------------------------------------------------------


@functools.cache
def load_scenario(domain: str, locale: str) -> Scenario:
    """The checked, compiled scenario for one domain and locale (cached: files are read once per process)."""
    if locale not in LOCALES:
        raise ScenarioError(f"unknown locale {locale!r}; accepted: {', '.join(LOCALES)}")
    if domain not in available_domains(locale):
        raise ScenarioError(
            f"unknown domain {domain!r} for {locale}; accepted: {', '.join(available_domains(locale))}")
    return _read(SCENARIO_DIR / locale / f"{domain}.toml", domain, locale)


def load_file(path: str | Path) -> Scenario:
    """Check one scenario file wherever it lies: ``<locale>/<domain>.toml`` names what it must declare."""
    path = Path(path)
    if path.parent.name not in LOCALES or path.stem not in DOMAINS:
        raise ScenarioError(f"{path}: a scenario file lies at <locale>/<domain>.toml with locale one of "
                            f"{', '.join(LOCALES)} and domain one of {', '.join(DOMAINS)}")
    return _read(path, path.stem, path.parent.name)


def available_domains(locale: str) -> tuple[str, ...]:
    """Domains that have a scenario file in this locale, in DOMAINS order."""
    return tuple(domain for domain in DOMAINS if (SCENARIO_DIR / locale / f"{domain}.toml").is_file())


def describe(scenario: Scenario) -> str:
    """One line of what a file holds, for content authors."""
    steps = sum(len(goal.steps) for goal in scenario.goals)
    phrases = sum(len(step.say) + len(step.voice) for goal in scenario.goals for step in goal.steps)
    return f"{len(scenario.goals)} goals, {steps} steps, {phrases} client phrases"


def main(argv: list[str] | None = None) -> int:
    """Check the given scenario files (default: every one); print one line per file. Used by content authors."""
    paths = [Path(arg) for arg in argv] if argv else [SCENARIO_DIR / locale / f"{domain}.toml"
                                                      for locale in LOCALES for domain in DOMAINS]
    failed = 0
    for path in paths:
        try:
            print(f"ok      {path}: {describe(load_file(path))}")
        except ScenarioError as error:
            print(f"ERROR   {error}")
            failed += 1
    return 1 if failed else 0
