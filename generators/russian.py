"""Russian grammar for generated text: names and cities in a case, numbers agreed with nouns (pymorphy3).

Contract:

- ``inflect(text, case, gender=None) -> str``: ``text`` in the nominative (a first name, a surname, a full
  name, a city, incl. «Нижний Новгород», «Ростов-на-Дону», «Набережные Челны») put into ``case``, one of
  ``CASES`` (``nomn gent datv accs ablt loct``). ``gender`` (``"masc"``/``"femn"``) settles names that
  could be either (a female «Шевчук» stays as it is); ``place=True`` for a city («во Владимир»,
  where the man's name would give «Владимира»). Capitals and «ё» are kept; words the dictionary
  cannot decline (``Сочи``, «Шевченко», Latin words) come back unchanged.
  «курьеру {agent_name:datv}» -> «курьеру Сергею», «в {city:loct}» -> «в Нижнем Новгороде».
- ``grammar_errors(text) -> list[str]``: agreement errors a program can find in generated text (a doubled
  «г. г.», «г.» before a city, «курьеру Сергей», «в Москва», «5 заказа», «в Владивостоке»); ``jaicp-mock
  stats`` counts them. ``with_preposition("в", "Владивостоке")`` and ``euphonic(text)`` give «во» where
  Russian needs it.
- ``agree(number, noun) -> str``: «1 заказ», «3 заказа», «5 заказов», «21 день», «2 рабочих дня», and the
  counting forms «5 гигабайт», «5 человек», «5 лет»;
  ``noun`` in the nominative singular, one word or adjective + noun. ``agreed_noun(number, noun)`` gives
  the noun alone, for a number formatted elsewhere («1 500 рублей»).

Both are cached. The pools' names and cities, the scenario files' ``[values]``, the nouns the scenario files
agree and the talk's casual-value nouns are precomputed into ``generators/pools/ru_RU/declensions.json``
(rebuilt by ``python -m generators.pools``), so generating neither loads the dictionaries (about 25 MB and
live parses) nor depends on their version; anything else is declined live.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymorphy3.analyzer import Parse

CASES: tuple[str, ...] = ("nomn", "gent", "datv", "accs", "ablt", "loct")
GENDERS: tuple[str, ...] = ("masc", "femn")
TABLE_PATH = Path(__file__).resolve().parent / "pools" / "ru_RU" / "declensions.json"

_PROPER = ("Name", "Surn", "Patr", "Geox")
"""Tags that make a parse of a capitalised word a name or a place rather than a common noun («Любовь»)."""


@functools.cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.cache
def _table() -> dict:
    if not TABLE_PATH.exists():
        return {"forms": {}, "phrases": {}, "agreement": {}, "classes": []}
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))


def _restore_case(original: str, inflected: str) -> str:
    """Give each hyphen-part of ``inflected`` the capital its counterpart in ``original`` had."""
    old_parts, new_parts = original.split("-"), inflected.split("-")
    if len(old_parts) != len(new_parts):
        return inflected.capitalize() if original[:1].isupper() else inflected
    return "-".join(new.capitalize() if old[:1].isupper() else new
                    for old, new in zip(old_parts, new_parts, strict=True))


def _fits(parse: Parse, gender: str | None) -> bool:
    return gender is None or gender in parse.tag or "ms-f" in parse.tag or parse.tag.gender is None


def _rank(parse: Parse, word: str, gender: str | None, place: bool) -> tuple[int, int, int, float]:
    proper = word[:1].isupper() and any(tag in parse.tag for tag in _PROPER)
    return (int(place and "Geox" in parse.tag), int(proper), int(_fits(parse, gender)), parse.score)


def _best_parse(word: str, gender: str | None, place: bool = False) -> Parse | None:
    candidates = [parse for parse in _morph().parse(word) if parse.tag.case == "nomn"]
    if gender and any("Surn" in parse.tag for parse in candidates) and not any(
            _fits(parse, gender) for parse in candidates):
        return None  # a surname with no form of this gender: a woman's «Шевчук» is not declined
    return max(candidates, key=lambda parse: _rank(parse, word, gender, place), default=None)


def _inflect_word(word: str, case: str, gender: str | None, animate: bool | None, place: bool = False) -> str:
    if _compound(word):
        return _inflect_hyphenated(word, case, gender)
    parse = _best_parse(word, gender, place)
    if parse is None or "Fixd" in parse.tag or not word[:1].isalpha() or word.isascii():
        return word
    grammemes = {case}
    if case == "accs" and parse.tag.POS in ("ADJF", "PRTF") and (animate is not None or place):
        grammemes.add("anim" if animate and not place else "inan")
    inflected = parse.inflect(grammemes)
    if inflected is None and "-" in word:
        return _inflect_hyphenated(word, case, gender)
    return word if inflected is None else _restore_case(word, inflected.word)


def _compound(word: str) -> bool:
    """«Ростов-на-Дону», «Каменск-Уральский»: parts that decline on their own."""
    if "-" not in word:
        return False
    parts = word.split("-")
    last = _best_parse(parts[-1], None, True)
    return "на" in parts or (last is not None and last.tag.POS == "ADJF")


def _inflect_hyphenated(word: str, case: str, gender: str | None) -> str:
    """«Ростов-на-Дону»: the part before «на»; «Каменск-Уральский»: every part; «Йошкар-Ола»: the last."""
    parts = word.split("-")
    if "на" in parts:
        head = parts.index("на")
        return "-".join([_inflect_word("-".join(parts[:head]), case, gender, False, True), *parts[head:]])
    if _compound(word):
        return "-".join(_inflect_word(part, case, gender, False, True) for part in parts)
    return "-".join([*parts[:-1], _inflect_word(parts[-1], case, gender, False)])


def _animate(words: list[str], gender: str | None) -> bool | None:
    for word in words:
        parse = _best_parse(word, gender)
        if parse is not None and parse.tag.POS == "NOUN":
            return parse.tag.animacy == "anim"
    return None


def inflect_live(text: str, case: str, gender: str | None = None, *, place: bool = False) -> str:
    """Decline with the dictionaries, ignoring the precomputed table (the table is built with this).

    ``place``: the text names a place, so a place reading wins («Грозный», not the surname).
    """
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; known: {' '.join(CASES)}")
    if case == "nomn" or not text:
        return text
    words = text.split(" ")
    animate = False if place else _animate(words, gender)
    return " ".join(_inflect_word(word, case, gender, animate, place) for word in words)


def _qualifier(gender: str | None, place: bool) -> str:
    return "place" if place else gender or ""


def _from_table(text: str, case: str, qualifier: str, *, phrases: bool = False) -> str | None:
    table = _table()
    forms = table["forms"].get(f"{text}|{qualifier}") or table["forms"].get(text)
    if forms is None and phrases:
        forms = table.get("phrases", {}).get(text)
    return None if forms is None else forms[CASES.index(case)]


@functools.lru_cache(maxsize=65536)
def inflect(text: str, case: str, gender: str | None = None, *, place: bool = False) -> str:
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; known: {' '.join(CASES)}")
    qualifier = _qualifier(gender, place)
    whole = _from_table(text, case, qualifier, phrases=not gender and not place)
    if whole is not None:
        return whole
    words = [_from_table(word, case, qualifier) for word in text.split(" ")]  # «Сергей Иванов»
    if " " in text and not place and None not in words:
        return " ".join(word for word in words if word is not None)
    return inflect_live(text, case, gender, place=place)


def _modifier_parse(word: str) -> Parse | None:
    """A word before the noun («рабочий день»): its adjective reading, not the noun «рабочий»."""
    adjectives = [parse for parse in _morph().parse(word)
                  if parse.tag.POS in ("ADJF", "PRTF") and parse.tag.case == "nomn" and parse.tag.number == "sing"]
    return adjectives[0] if adjectives else _best_parse(word, None)


_COUNTING_FORMS = {"человек": "человек", "год": "лет"}
"""Counting forms the dictionary holds without the ``Coun`` mark, so ``make_agree_with_number`` gives «5 людей»
and «5 годов» (pymorphy2 issues 147 and 172): the plural genitive after a number is these."""


def counted(parse: Parse, number: int) -> Parse | None:
    """``parse`` in the form that follows ``number``: ``make_agree_with_number``, with the counting form
    where the language has one («5 гигабайт», «5 грамм», «5 человек», «5 лет»), not the plain genitive."""
    form = parse.make_agree_with_number(number)
    if form is None or (form.tag.number, form.tag.case) != ("plur", "gent"):
        return form
    special = _COUNTING_FORMS.get(parse.normal_form)
    if special is not None:
        return next((other for other in parse.lexeme if other.word == special and "gent" in other.tag), form)
    return parse.inflect({"plur", "gent", "Coun"}) or form


def _agreed_live(noun: str, number: int) -> str:
    words = noun.split(" ")
    parses = [_modifier_parse(word) for word in words[:-1]] + [_best_parse(words[-1], None)]
    forms = [None if parse is None else counted(parse, number) for parse in parses]
    head = forms[-1]
    after_few = head is not None and (head.tag.number, head.tag.case) == ("sing", "gent")  # «2 дня»
    adjective_case = "nomn" if head is not None and head.tag.gender == "femn" else "gent"
    agreed = []
    for word, parse, form in zip(words, parses, forms, strict=True):
        if after_few and parse is not None and parse.tag.POS in ("ADJF", "PRTF"):
            # pymorphy3 leaves an adjective singular after 2-4; Russian puts it in the plural («2 рабочих дня»)
            form = parse.inflect({"plur", adjective_case})
        agreed.append(word if form is None else _restore_case(word, form.word))
    return " ".join(agreed)


def agreement_classes() -> list[int]:
    """For each ``number % 100``: which of the 1 / 2 / 5 forms a noun takes (pymorphy3's rule)."""
    tag = _morph().parse("заказ")[0].tag
    representatives = [tag.numeral_agreement_grammemes(number) for number in (1, 2, 5)]
    return [representatives.index(tag.numeral_agreement_grammemes(number)) for number in range(100)]


@functools.lru_cache(maxsize=16384)
def _agreed(noun: str, residue: int) -> str:
    table = _table()
    forms = table["agreement"].get(noun)
    if forms is not None and table["classes"]:
        return forms[table["classes"][residue]]
    return _agreed_live(noun, residue + 100)


def agreed_noun(number: int, noun: str) -> str:
    """The form of ``noun`` that follows ``number``: (21, день) -> «день», (5, заказ) -> «заказов»."""
    return _agreed(noun, abs(number) % 100)


def agree(number: int, noun: str) -> str:
    return f"{number} {agreed_noun(number, noun)}"


def build_table(words: Iterable[tuple[str, str | None, bool]], nouns: Iterable[str],
                phrases: Iterable[str] = ()) -> dict:
    """The precomputed table: every case of each ``(text, gender, place)``, the 1/2/5 forms of each noun, and
    every case of each phrase (a scenario value, declined as ``inflect(text, case)`` would without the table)."""
    forms: dict[str, list[str]] = {}
    for text, gender, place in words:
        declined = [inflect_live(text, case, gender, place=place) for case in CASES]
        forms.setdefault(text, declined)
        if declined != forms[text]:  # «Владимир» the city is not declined as the man
            forms[f"{text}|{_qualifier(gender, place)}"] = declined
    declined_phrases: dict[str, list[str]] = {}
    for text in sorted(set(phrases)):
        known = [f"{word}|" in forms or word in forms for word in text.split(" ")]
        if f"{text}|" in forms or text in forms or (len(known) > 1 and all(known)):
            continue  # ``inflect`` finds it, or joins its words' forms, from the table already
        declined_phrases[text] = [inflect_live(text, case) for case in CASES]
    return {
        "classes": agreement_classes(),
        "forms": dict(sorted(forms.items())),
        "phrases": declined_phrases,
        "agreement": {noun: [_agreed_live(noun, number) for number in (101, 102, 105)]
                      for noun in sorted(set(nouns))},
    }


_VO = re.compile(r"(?<![\w-])([Вв]) (?=[ВвФф][бвгджзйклмнпрстфхцчшщь])")
"""«в» before в/ф and a consonant, where Russian says «во»: «во Владивостоке», «во Францию», «во Вьетнам»."""


def with_preposition(preposition: str, words: str) -> str:
    """«в» + «Владивостоке» -> «во Владивостоке»; «в» + «Москве» -> «в Москве» (the preposition's capital kept)."""
    return euphonic(f"{preposition} {words}")


def euphonic(text: str) -> str:
    """Every «в» that must be «во» in ``text`` made so («в Владимир» -> «во Владимир»)."""
    return _VO.sub(lambda found: f"{found.group(1)}о ", text)


# Checking generated Russian text: what `jaicp-mock stats` counts as agreement errors.
_NUMBER_NOUN = re.compile(r"(?<![\d.,:/+()-])(?<!\d )(\d{1,6}) ([а-яё]+)\b")
"""A number and the word after it; not the tail of a phone number, a date, a time or an amount with cents."""
_DOUBLED_PREFIX = re.compile(r"(?<!\w)(г|ул|д|кв|пр-т|пос)\.\s*\1\.")
_GOVERNED_CASES = {"из": ("gent",), "до": ("gent",), "у": ("gent",), "около": ("gent",), "от": ("gent",),
                   "в": ("accs", "loct"), "во": ("accs", "loct"), "на": ("accs", "loct"), "по": ("datv",),
                   "к": ("datv",), "ко": ("datv",), "курьеру": ("datv",), "оператору": ("datv",),
                   "мастеру": ("datv",), "специалисту": ("datv",), "сотруднику": ("datv",),
                   "менеджеру": ("datv",), "консультанту": ("datv",)}
"""Words that put the name or city after them into a case: a nominative there is an error («курьеру Сергей»)."""


@functools.cache
def _governed_pattern() -> re.Pattern[str]:
    from generators.pools import load_pools

    pools = load_pools("ru_RU")
    names = sorted({*pools.cities, *pools.first_names_male, *pools.first_names_female}, key=len, reverse=True)
    words = "|".join(sorted(_GOVERNED_CASES, key=len, reverse=True))
    alternatives = "|".join(map(re.escape, names))
    # Only the governing word ignores case: «на роман» is not the name «Роман».
    return re.compile(rf"(?<!\w)(?:(?P<word>(?i:{words}))|(?P<prefix>г\.))\s+(?P<name>{alternatives})(?![\w-])")


@functools.lru_cache(maxsize=65536)
def _number_agrees(residue: int, word: str) -> bool:
    """``word`` after a number ending like ``residue`` is a right form: the agreed one, or a genitive a
    preposition may govern («в течение 1 минуты»). Words the dictionary reads first as something other
    than a noun («перед») pass."""
    parses = _morph().parse(word)
    readings = [parse for parse in parses
                if parse.tag.POS == "NOUN" and parse.tag.case in ("nomn", "gent") and "Fixd" not in parse.tag]
    if not readings or parses[0].tag.POS != "NOUN" or any(
            "Geox" in parse.tag or parse.normal_form in _MONTHS for parse in readings):
        return True
    number = residue + 100
    for parse in readings:
        lemma = parse.inflect({"nomn", "sing"}) or parse
        agreed = counted(lemma, number)
        genitive = lemma.inflect({"gent", "sing" if agreed is not None and agreed.tag.number == "sing"
                                  and agreed.tag.case == "nomn" else "plur"})
        if word in {form.word for form in (agreed, genitive) if form is not None}:
            return True
    return False


_MONTHS = frozenset({"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                     "октябрь", "ноябрь", "декабрь", "год"})
"""«5 марта», «2026 года»: a date, not a count."""


def grammar_errors(text: str) -> list[str]:
    """Agreement errors a program can find in generated Russian: a doubled prefix («г. г.»), «г.» before a
    city, a name or city left in the nominative after a word that governs a case («курьеру Сергей», «в
    Москва»), a noun that does not agree with its number («5 заказа»)."""
    errors = [found.group(0) for found in _DOUBLED_PREFIX.finditer(text)]
    errors.extend(text[found.start():found.end() + 2] for found in _VO.finditer(text))
    for found in _governed_pattern().finditer(text):
        name = found.group("name")
        if found.group("prefix"):
            errors.append(found.group(0))
            continue
        cases = _GOVERNED_CASES[found.group("word").lower()]
        if all(inflect(name, case, place=name[0].isupper() and _is_city(name)) != name for case in cases):
            errors.append(found.group(0))
    errors.extend(found.group(0) for found in _NUMBER_NOUN.finditer(text)
                  if not _number_agrees(int(found.group(1)) % 100, found.group(2)))
    return errors


@functools.cache
def _cities() -> frozenset[str]:
    from generators.pools import load_pools

    return frozenset(load_pools("ru_RU").cities)


def _is_city(name: str) -> bool:
    return name in _cities()
