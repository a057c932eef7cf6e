"""Bot-domain scenario content (intents, paraphrases, replies, states) per locale, loaded from TOML.

The files are data; this module checks them against FORMAT.md once at load and compiles every text into a
:class:`Template` so that generating a row does no parsing.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

SCENARIO_DIR = Path(__file__).resolve().parent
LOCALES: tuple[str, ...] = ("en_US", "ru_RU")
DOMAINS: tuple[str, ...] = ("banking", "delivery", "telecom", "retail")

COMMON_PLACEHOLDERS: frozenset[str] = frozenset({
    "first_name", "agent_name", "company", "street_address", "city", "amount", "date", "time",
    "order_number", "tracking_number", "card_last4", "phone_number", "email", "number", "code",
})

_GENDERED = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")
_STATE = re.compile(r"^(/[A-Za-z0-9_]+)+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ScenarioError(ValueError):
    """A scenario file breaks FORMAT.md; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Template:
    """One text with its gendered forms resolved ahead of time."""

    male: str
    female: str
    fields: tuple[str, ...]
    """Placeholder names, in order of appearance; empty when the text is final as it stands."""


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    state: str
    tag: str
    comment: str
    questions: tuple[Template, ...]
    buttons: tuple[Template, ...]
    voice: tuple[Template, ...]
    answers: tuple[Template, ...]
    next: tuple[int, ...]
    """Indices into Scenario.intents of intents that naturally follow this one."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """A group of client phrases that lead to one state and one set of replies."""

    state: str
    questions: tuple[Template, ...]
    voice: tuple[Template, ...]
    answers: tuple[Template, ...]


@dataclass(frozen=True, slots=True)
class Operator:
    questions: tuple[Template, ...]
    voice: tuple[Template, ...]
    switch_state: str
    switch_answers: tuple[Template, ...]
    no_operators_state: str
    no_operators_answers: tuple[Template, ...]
    agent_greetings: tuple[Template, ...]
    agent_replies: tuple[Template, ...]
    client_to_agent: tuple[Template, ...]
    finished_state: str
    finished_answers: tuple[Template, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    domain: str
    locale: str
    companies: tuple[str, ...]
    values: dict[str, tuple[str, ...]]
    start: Exchange
    intents: tuple[Intent, ...]
    fallback: Exchange
    operator: Operator
    goodbye: Exchange
    session_labels: tuple[str, ...]
    comments: tuple[str, ...]


class _Reader:
    """Walks one parsed TOML document, collecting checked values and naming the key on any error."""

    def __init__(self, path: Path, placeholders: frozenset[str]) -> None:
        self.path = path
        self.placeholders = placeholders

    def fail(self, key: str, reason: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {key}: {reason}")

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key.rsplit(".", 1)[-1])
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

    def strings(self, data: dict, key: str, minimum: int, *, required: bool = True) -> tuple[str, ...]:
        value = data.get(key.rsplit(".", 1)[-1])
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, "a list of non-empty strings is required")
        if len(value) < minimum:
            raise self.fail(key, f"at least {minimum} entries are required, found {len(value)}")
        if len(set(value)) != len(value):
            raise self.fail(key, "entries repeat")
        return tuple(value)

    def templates(self, data: dict, key: str, minimum: int, *, required: bool = True) -> tuple[Template, ...]:
        return tuple(self.compile(key, text) for text in self.strings(data, key, minimum, required=required))

    def compile(self, key: str, text: str) -> Template:
        male = _GENDERED.sub(lambda match: match.group(1), text)
        female = _GENDERED.sub(lambda match: match.group(2), text)
        if any(char in male for char in "[]|"):
            raise self.fail(key, f"stray '[', ']' or '|' in {text!r}: gendered forms are written [male|female]")
        fields: list[str] = []
        try:
            parsed = list(string.Formatter().parse(male))
        except ValueError as error:
            raise self.fail(key, f"bad placeholder syntax in {text!r}: {error}") from None
        for _literal, field, spec, conversion in parsed:
            if field is None:
                continue
            if field not in self.placeholders or spec or conversion:
                raise self.fail(key, f"unknown placeholder {{{field}}} in {text!r}")
            fields.append(field)
        return Template(male, female, tuple(fields))

    def exchange(self, data: dict, key: str, *, questions: int, voice: int, answers: int) -> Exchange:
        table = self.table(data, key)
        return Exchange(
            state=self.text(table, f"{key}.state", pattern=_STATE),
            questions=self.templates(table, f"{key}.questions", questions, required=questions > 0),
            voice=self.templates(table, f"{key}.voice", voice, required=voice > 0),
            answers=self.templates(table, f"{key}.answers", answers),
        )


def _read(path: Path, domain: str, locale: str) -> Scenario:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"{path}: {error}") from None
    values_table = data.get("values", {})
    if not isinstance(values_table, dict):
        raise ScenarioError(f"{path}: values: a table is required")
    reader = _Reader(path, COMMON_PLACEHOLDERS | frozenset(values_table))
    if data.get("domain") != domain or data.get("locale") != locale:
        raise reader.fail("domain/locale", f"must be {domain!r}/{locale!r} to match the file's place")
    values = {name: reader.strings(values_table, f"values.{name}", 3) for name in values_table}
    for name in values:
        if not _NAME.match(name):
            raise reader.fail(f"values.{name}", "value names are snake_case")

    raw_intents = data.get("intents")
    if not isinstance(raw_intents, list) or len(raw_intents) < 15:
        raise reader.fail("intents", "at least 15 [[intents]] are required")
    names = [item.get("name") if isinstance(item, dict) else None for item in raw_intents]
    if len(set(names)) != len(names):
        raise reader.fail("intents", "intent names repeat")
    index_of = {name: index for index, name in enumerate(names)}
    intents = []
    for number, item in enumerate(raw_intents):
        key = f"intents[{number}]"
        name = reader.text(item, f"{key}.name", pattern=_NAME)
        key = f"intents.{name}"
        follow = reader.strings(item, f"{key}.next", 1, required=False)
        unknown = [target for target in follow if target not in index_of]
        if unknown:
            raise reader.fail(f"{key}.next", f"no intents named {unknown}")
        intents.append(Intent(
            name=name,
            state=reader.text(item, f"{key}.state", pattern=_STATE),
            tag=reader.text(item, f"{key}.tag"),
            comment=reader.text(item, f"{key}.comment"),
            questions=reader.templates(item, f"{key}.questions", 4),
            buttons=reader.templates(item, f"{key}.buttons", 1, required=False),
            voice=reader.templates(item, f"{key}.voice", 2),
            answers=reader.templates(item, f"{key}.answers", 2),
            next=tuple(index_of[target] for target in follow),
        ))

    operator = reader.table(data, "operator")
    labels = reader.table(data, "labels")
    return Scenario(
        domain=domain,
        locale=locale,
        companies=reader.strings(data, "company", 2),
        values=values,
        start=reader.exchange(data, "start", questions=0, voice=0, answers=3),
        intents=tuple(intents),
        fallback=reader.exchange(data, "fallback", questions=8, voice=3, answers=3),
        operator=Operator(
            questions=reader.templates(operator, "operator.questions", 5),
            voice=reader.templates(operator, "operator.voice", 3),
            switch_state=reader.text(operator, "operator.switch_state", pattern=_STATE),
            switch_answers=reader.templates(operator, "operator.switch_answers", 2),
            no_operators_state=reader.text(operator, "operator.no_operators_state", pattern=_STATE),
            no_operators_answers=reader.templates(operator, "operator.no_operators_answers", 2),
            agent_greetings=reader.templates(operator, "operator.agent_greetings", 3),
            agent_replies=reader.templates(operator, "operator.agent_replies", 8),
            client_to_agent=reader.templates(operator, "operator.client_to_agent", 8),
            finished_state=reader.text(operator, "operator.finished_state", pattern=_STATE),
            finished_answers=reader.templates(operator, "operator.finished_answers", 2),
        ),
        goodbye=reader.exchange(data, "goodbye", questions=4, voice=2, answers=2),
        session_labels=reader.strings(labels, "labels.session", 4),
        comments=reader.strings(labels, "labels.comments", 4),
    )


@functools.cache
def load_scenario(domain: str, locale: str) -> Scenario:
    """The checked, compiled scenario for one domain and locale (cached: files are read once per process)."""
    if locale not in LOCALES:
        raise ScenarioError(f"unknown locale {locale!r}; accepted: {', '.join(LOCALES)}")
    if domain not in available_domains(locale):
        raise ScenarioError(
            f"unknown domain {domain!r} for {locale}; accepted: {', '.join(available_domains(locale))}")
    return _read(SCENARIO_DIR / locale / f"{domain}.toml", domain, locale)


def available_domains(locale: str) -> tuple[str, ...]:
    """Domains that have a scenario file in this locale, in DOMAINS order."""
    return tuple(domain for domain in DOMAINS if (SCENARIO_DIR / locale / f"{domain}.toml").is_file())


def main() -> int:
    """Check every scenario file; print one line per file. Used by content authors."""
    failed = 0
    for locale in LOCALES:
        for domain in DOMAINS:
            path = SCENARIO_DIR / locale / f"{domain}.toml"
            if not path.is_file():
                print(f"MISSING {path}")
                failed += 1
                continue
            try:
                scenario = _read(path, domain, locale)
            except ScenarioError as error:
                print(f"ERROR   {error}")
                failed += 1
                continue
            phrases = sum(len(intent.questions) for intent in scenario.intents)
            print(f"ok      {path.relative_to(SCENARIO_DIR)}: {len(scenario.intents)} intents, {phrases} phrases")
    return 1 if failed else 0
