"""Scenario content: every file loads and meets FORMAT.md; the loader rejects broken files, naming file and key."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from random import Random

import pytest

from generators.scenarios import (
    COMMON_PLACEHOLDERS,
    DOMAINS,
    LOCALES,
    SCENARIO_DIR,
    Scenario,
    ScenarioError,
    Template,
    _read,
    available_domains,
    load_scenario,
)
from generators.text import Filler

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
STATE = re.compile(r"(/[A-Za-z0-9_]+)+")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
FILES = [(locale, domain) for locale in LOCALES for domain in DOMAINS]


def all_templates(scenario: Scenario) -> dict[str, tuple[Template, ...]]:
    """Every text of a scenario by the key it comes from."""
    texts: dict[str, tuple[Template, ...]] = {
        "start.answers": scenario.start.answers,
        "fallback.questions": scenario.fallback.questions,
        "fallback.voice": scenario.fallback.voice,
        "fallback.answers": scenario.fallback.answers,
        "goodbye.questions": scenario.goodbye.questions,
        "goodbye.voice": scenario.goodbye.voice,
        "goodbye.answers": scenario.goodbye.answers,
    }
    operator = scenario.operator
    for name in ("questions", "voice", "switch_answers", "no_operators_answers", "agent_greetings", "agent_replies",
                 "client_to_agent", "finished_answers"):
        texts[f"operator.{name}"] = getattr(operator, name)
    for intent in scenario.intents:
        for name in ("questions", "buttons", "voice", "answers"):
            texts[f"intents.{intent.name}.{name}"] = getattr(intent, name)
    return texts


def voice_templates(scenario: Scenario) -> list[Template]:
    voice = [*scenario.fallback.voice, *scenario.goodbye.voice, *scenario.operator.voice]
    for intent in scenario.intents:
        voice.extend(intent.voice)
    return voice


# -- the shipped files --------------------------------------------------------------------------------------


def test_every_locale_has_every_domain():
    for locale in LOCALES:
        assert available_domains(locale) == DOMAINS
    assert set(LOCALES) == {"en_US", "ru_RU"}
    assert len(DOMAINS) >= 4


def test_checker_command_passes_on_every_file():
    result = subprocess.run([sys.executable, "-m", "generators.scenarios"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(FILES)
    assert all(line.startswith("ok") for line in lines)


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_file_loads_with_minimum_counts(locale, domain):
    scenario = load_scenario(domain, locale)
    assert (scenario.domain, scenario.locale) == (domain, locale)
    assert len(scenario.intents) >= 15
    assert len({intent.name for intent in scenario.intents}) == len(scenario.intents)
    for intent in scenario.intents:
        assert len(intent.questions) >= 4, intent.name
        assert len(intent.voice) >= 2, intent.name
        assert len(intent.answers) >= 2, intent.name
        assert STATE.fullmatch(intent.state), intent.name
        assert intent.tag.strip() and intent.comment.strip()
        assert all(0 <= target < len(scenario.intents) for target in intent.next)
    assert len(scenario.companies) >= 2
    assert len(scenario.start.answers) >= 3
    assert len(scenario.fallback.questions) >= 8 and len(scenario.fallback.voice) >= 3
    assert scenario.fallback.state == "/CatchAll"
    operator = scenario.operator
    assert len(operator.questions) >= 5 and len(operator.agent_replies) >= 8 and len(operator.client_to_agent) >= 8
    assert operator.no_operators_state == "/CatchAll/Switch/NoOperatorsOnline"
    assert all(STATE.fullmatch(state) for state in (operator.switch_state, operator.finished_state,
                                                    scenario.goodbye.state, scenario.start.state))
    assert len(scenario.session_labels) >= 4 and len(scenario.comments) >= 4


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_next_targets_exist_in_the_raw_file(locale, domain):
    data = tomllib.loads((SCENARIO_DIR / locale / f"{domain}.toml").read_text(encoding="utf-8"))
    names = {intent["name"] for intent in data["intents"]}
    targets = [target for intent in data["intents"] for target in intent.get("next", [])]
    assert targets, "no intent names a follow-up"
    assert set(targets) <= names
    scenario = load_scenario(domain, locale)
    for raw, intent in zip(data["intents"], scenario.intents, strict=True):
        assert [scenario.intents[index].name for index in intent.next] == raw.get("next", [])


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_placeholders_are_known_and_fill(locale, domain):
    scenario = load_scenario(domain, locale)
    allowed = COMMON_PLACEHOLDERS | set(scenario.values)
    raw = (SCENARIO_DIR / locale / f"{domain}.toml").read_text(encoding="utf-8")
    used = {name for name in PLACEHOLDER.findall("\n".join(line for line in raw.splitlines()
                                                             if not line.lstrip().startswith("#")))}
    assert used <= allowed, used - allowed
    rng = Random(11)
    for key, templates in all_templates(scenario).items():
        for template in templates:
            assert set(template.fields) <= allowed, key
            for female in (False, True):
                filler = Filler(rng, scenario)
                text = filler.fill(template, female)
                assert text.strip(), key
                assert not re.search(r"[{}]", text), (key, text)
                assert not re.search(r"\[[^\]]*\|[^\]]*\]", text), (key, text)


@pytest.mark.parametrize("domain", DOMAINS)
def test_russian_files_are_russian(domain):
    scenario = load_scenario(domain, "ru_RU")
    templates = [template for group in all_templates(scenario).values() for template in group]
    cyrillic = [bool(CYRILLIC.search(template.male)) for template in templates]
    assert sum(cyrillic) >= 0.95 * len(cyrillic)
    for intent in scenario.intents:
        assert any(CYRILLIC.search(template.male) for template in intent.questions), intent.name
        assert all(CYRILLIC.search(template.male) for template in intent.answers), intent.name
        assert all(CYRILLIC.search(template.male) for template in intent.voice), intent.name
    assert all(CYRILLIC.search(label) for label in scenario.session_labels)


@pytest.mark.parametrize("domain", DOMAINS)
def test_english_files_have_no_cyrillic(domain):
    scenario = load_scenario(domain, "en_US")
    for key, templates in all_templates(scenario).items():
        for template in templates:
            assert not CYRILLIC.search(template.male), key


@pytest.mark.parametrize("domain", DOMAINS)
def test_russian_files_use_gendered_forms(domain):
    scenario = load_scenario(domain, "ru_RU")
    gendered = [template for group in all_templates(scenario).values() for template in group
                if template.male != template.female]
    assert gendered, "Russian client phrases need [male|female] forms"
    for template in gendered:
        for text in (template.male, template.female):
            assert not re.search(r"[\[\]|]", text)


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_voice_transcripts_read_like_speech(locale, domain):
    for template in voice_templates(load_scenario(domain, locale)):
        for text in (template.male, template.female):
            assert text == text.lower(), text
            assert not re.search("[\U0001F000-\U0001FAFF\u2600-\u27BF]", text), text


# -- the loader rejects broken files -------------------------------------------------------------------------


def to_toml(document: dict) -> str:
    """A tiny TOML writer for scenario documents: strings, lists of strings, tables, arrays of tables."""

    def value(item) -> str:
        if isinstance(item, list):
            return "[" + ", ".join(value(element) for element in item) + "]"
        if isinstance(item, str):
            return json.dumps(item, ensure_ascii=False)
        return repr(item)

    def pairs(table: dict) -> list[str]:
        return [f"{json.dumps(key)} = {value(item)}" for key, item in table.items()
                if not isinstance(item, dict) and not (isinstance(item, list) and item
                                                       and isinstance(item[0], dict))]

    lines = pairs(document)
    for key, item in document.items():
        if isinstance(item, dict):
            lines += ["", f"[{key}]", *pairs(item)]
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            for element in item:
                lines += ["", f"[[{key}]]", *pairs(element)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def banking() -> dict:
    return tomllib.loads((SCENARIO_DIR / "en_US" / "banking.toml").read_text(encoding="utf-8"))


def read_modified(tmp_path: Path, document: dict, domain: str = "banking", locale: str = "en_US") -> Scenario:
    path = tmp_path / locale / f"{domain}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml(document), encoding="utf-8")
    return _read(path, domain, locale)


def test_unmodified_document_reads_back(tmp_path, banking):
    assert read_modified(tmp_path, banking) == load_scenario("banking", "en_US")


def _intent(document: dict, number: int = 3) -> dict:
    return document["intents"][number]


def _unreferenced(document: dict) -> int:
    """The position of the first intent no other intent names in ``next`` (renaming it breaks nothing else)."""
    targets = {target for intent in document["intents"] for target in intent.get("next", [])}
    return next(number for number, intent in enumerate(document["intents"])
                if intent["name"] not in targets or intent["name"] == "Block-Card")


BROKEN = {
    "unknown placeholder": (
        lambda doc: _intent(doc)["questions"].append("where is my {parcel_id}"),
        lambda doc: f"intents.{_intent(doc)['name']}.questions", "parcel_id"),
    "placeholder with a format spec": (
        lambda doc: _intent(doc)["answers"].append("you owe {amount:>10}"),
        lambda doc: f"intents.{_intent(doc)['name']}.answers", "amount"),
    "placeholder with a conversion": (
        lambda doc: doc["fallback"]["answers"].append("sorry {first_name!r}"),
        lambda doc: "fallback.answers", "first_name"),
    "unbalanced brace": (
        lambda doc: doc["goodbye"]["answers"].append("bye {first_name"),
        lambda doc: "goodbye.answers", "placeholder"),
    "stray bracket": (
        lambda doc: _intent(doc, 0)["questions"].append("I [want a card"),
        lambda doc: f"intents.{_intent(doc, 0)['name']}.questions", "[male|female]"),
    "three gendered forms": (
        lambda doc: _intent(doc, 0)["voice"].append("i [a|b|c] card"),
        lambda doc: f"intents.{_intent(doc, 0)['name']}.voice", "[male|female]"),
    "next names no intent": (
        lambda doc: _intent(doc).__setitem__("next", ["no_such_intent"]),
        lambda doc: f"intents.{_intent(doc)['name']}.next", "no_such_intent"),
    "too few questions": (
        lambda doc: _intent(doc).__setitem__("questions", _intent(doc)["questions"][:3]),
        lambda doc: f"intents.{_intent(doc)['name']}.questions", "at least 4"),
    "too few voice phrases": (
        lambda doc: _intent(doc).__setitem__("voice", _intent(doc)["voice"][:1]),
        lambda doc: f"intents.{_intent(doc)['name']}.voice", "at least 2"),
    "repeated paraphrase": (
        lambda doc: _intent(doc)["questions"].append(_intent(doc)["questions"][0]),
        lambda doc: f"intents.{_intent(doc)['name']}.questions", "repeat"),
    "empty paraphrase": (
        lambda doc: _intent(doc)["answers"].append("  "),
        lambda doc: f"intents.{_intent(doc)['name']}.answers", "non-empty"),
    "too few intents": (
        lambda doc: doc.__setitem__("intents", doc["intents"][:14]),
        lambda doc: "intents", "at least 15"),
    "repeated intent name": (
        lambda doc: _intent(doc, 1).__setitem__("name", _intent(doc, 0)["name"]),
        lambda doc: "intents", "repeat"),
    "state without a slash": (
        lambda doc: _intent(doc).__setitem__("state", "Cards/Block"),
        lambda doc: f"intents.{_intent(doc)['name']}.state", "Cards/Block"),
    "missing tag": (
        lambda doc: _intent(doc).pop("tag"),
        lambda doc: f"intents.{_intent(doc)['name']}.tag", "non-empty"),
    "intent name not snake_case": (
        lambda doc: _intent(doc, _unreferenced(doc)).__setitem__("name", "Block-Card"),
        lambda doc: f"intents[{_unreferenced(doc)}].name", "Block-Card"),
    "missing operator table": (
        lambda doc: doc.pop("operator"),
        lambda doc: "operator", "table"),
    "too few agent replies": (
        lambda doc: doc["operator"].__setitem__("agent_replies", doc["operator"]["agent_replies"][:7]),
        lambda doc: "operator.agent_replies", "at least 8"),
    "too few fallback phrases": (
        lambda doc: doc["fallback"].__setitem__("questions", doc["fallback"]["questions"][:7]),
        lambda doc: "fallback.questions", "at least 8"),
    "too few session labels": (
        lambda doc: doc["labels"].__setitem__("session", doc["labels"]["session"][:3]),
        lambda doc: "labels.session", "at least 4"),
    "one company": (
        lambda doc: doc.__setitem__("company", doc["company"][:1]),
        lambda doc: "company", "at least 2"),
    "short values list": (
        lambda doc: doc.setdefault("values", {}).__setitem__("colour", ["red", "green"]),
        lambda doc: "values.colour", "at least 3"),
    "wrong domain": (
        lambda doc: doc.__setitem__("domain", "retail"),
        lambda doc: "domain/locale", "banking"),
    "wrong locale": (
        lambda doc: doc.__setitem__("locale", "ru_RU"),
        lambda doc: "domain/locale", "en_US"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_is_rejected_naming_file_and_key(case, tmp_path, banking):
    breaks, key_of, words = BROKEN[case]
    document = copy.deepcopy(banking)
    breaks(document)
    key = key_of(document)
    with pytest.raises(ScenarioError) as raised:
        read_modified(tmp_path, document)
    message = str(raised.value)
    path = str(tmp_path / "en_US" / "banking.toml")
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message
    assert isinstance(raised.value, ValueError)


def test_toml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "banking.toml"
    path.write_text('domain = "banking"\nlocale = \n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(str(path))):
        _read(path, "banking", "en_US")


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match=r"nothing\.toml"):
        _read(tmp_path / "nothing.toml", "banking", "en_US")


def test_file_values_extend_the_placeholders(tmp_path, banking):
    document = copy.deepcopy(banking)
    document.setdefault("values", {})["colour"] = ["red", "green", "blue"]
    _intent(document)["answers"].append("your {colour} card is on its way")
    scenario = read_modified(tmp_path, document)
    template = scenario.intents[3].answers[-1]
    assert template.fields == ("colour",)
    filled = {Filler(Random(seed), scenario).fill(template, False) for seed in range(40)}
    assert filled == {f"your {colour} card is on its way" for colour in ("red", "green", "blue")}


def test_gendered_forms_are_resolved_per_gender(tmp_path):
    document = tomllib.loads((SCENARIO_DIR / "ru_RU" / "banking.toml").read_text(encoding="utf-8"))
    _intent(document)["questions"].append("я [хотел|хотела] бы, {first_name}, [узнать|уточнить] баланс")
    scenario = read_modified(tmp_path, document, locale="ru_RU")
    template = scenario.intents[3].questions[-1]
    assert template.male == "я хотел бы, {first_name}, узнать баланс"
    assert template.female == "я хотела бы, {first_name}, уточнить баланс"
    filler = Filler(Random(1), scenario)
    filler["first_name"] = "Анна"
    assert filler.fill(template, True) == "я хотела бы, Анна, уточнить баланс"
    assert filler.fill(template, False) == "я хотел бы, Анна, узнать баланс"


def test_unknown_locale_and_domain_are_rejected_with_accepted_values():
    with pytest.raises(ScenarioError, match="en_US"):
        load_scenario("banking", "fr_FR")
    with pytest.raises(ScenarioError, match="banking"):
        load_scenario("casino", "en_US")
