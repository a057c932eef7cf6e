"""The long tail of client text: how people open and close a phrase, write casually, slip on the keys,
wander off topic, complain at length, and how speech recognition garbles the phone line.

Locale-wide material lives in ``generators/talk/<locale>.toml``; domain files keep only what their bot
is about. Every function is pure given its ``rng`` (a ``random.Random``): same draws, same text.

Contract:

- ``compose(rng, core, locale, voice=False, *, greet=False, ending=ANY) -> str``: a client's phrase around
  ``core`` (a scenario phrase whose placeholders are already filled). Chat: now and then an opener ("hi,",
  «здравствуйте») when ``greet`` (the phrase opens the conversation: no opener otherwise, not even a typo'd
  one), a closer of the turn's ``ending`` (``ANY`` "!!", ``REQUEST`` "pls" «??», ``CLOSING`` "thanks"
  «спасибо»: a "thanks" only where the client ends the conversation), casual forms ("u", «щас»), no
  capital, no final full stop, a typo. Phone (``voice=True``): lower case, punctuation gone but the odd
  comma, a spoken opener when ``greet`` ("uh hi", «алло»), and ``asr_noise``. Never edits a token holding
  a digit, ``@`` or a capital letter past its first (codes, emails, names keep their spelling); never adds
  chat-only wording to a phone phrase.
- ``casual_values(rng, text, locale) -> str``: amounts and dates the way people type them ("$1,250.00" ->
  "1250 dollars", "March 7" -> "3/7", «1 250 ₽» -> «1250р», «7 марта» -> «07.03»); ``compose`` does it to
  half of the typed phrases that hold one.
- ``typo(rng, text, locale) -> str``: one slip: a common misspelling, an adjacent key, two letters
  swapped, a letter dropped or doubled. The text comes back unchanged when no word can take a slip.
- ``asr_noise(rng, text, locale) -> str``: what recognition makes of speech: lower case, no punctuation,
  a dropped short word, a word heard as another («код» -> «кот», "card" -> "car"), numbers as words,
  a filler.
- ``off_topic(rng, locale, voice=False, greet=True) -> str``: a phrase that has nothing to do with the bot: one-liners,
  questions composed from parts about real cities, and (chat only) ``gibberish``. Already composed (openers,
  typos...): do not pass it through ``compose`` again.
- ``gibberish(rng, locale) -> str``: a keyboard mash or a bit of noise ("asdfgh", «ывапр», "??").
- ``long_complaint(rng, core, locale, voice=False) -> str``: ``core`` inside an opener, context sentences
  and an ending; always ``COMPLAINT_MIN_WORDS`` words or more. ``complains(core, locale)``: whether ``core``
  can grow into one (not a plain question for information: "how much is a data pass").
- ``chat_only(text, locale) -> str | None``: the first chat-only word or mark in ``text`` ("tap",
  «нажмите», a URL), or None: phone texts must have none.
- ``spoken_number(number, locale) -> str``: "twenty one", «двадцать один».
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from random import Random

from num2words import num2words

TALK_DIR = Path(__file__).resolve().parent
COMPLAINT_MIN_WORDS = 15

# How often compose() does each thing to a typed phrase.
P_CASUAL = 0.25
P_LETTERS = 0.5
P_OPENER = 0.22
P_CLOSER = 0.16
P_NO_CAPITAL = 0.4
P_NO_FULL_STOP = 0.45
P_TYPO = 0.14
P_CASUAL_VALUES = 0.5
# ... and to a phrase heard on the phone.
P_VOICE_OPENER = 0.22
P_VOICE_CLOSER = 0.08

ANY, REQUEST, CLOSING = "any", "request", "closing"
"""The kinds of turn a closer is chosen for: any phrase, a request or question, the client's last words."""
P_ASR = 0.45
P_NUMBER_AS_WORDS = 0.6

_NUM2WORDS_LANG = {"en_US": "en", "ru_RU": "ru"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_PROTECTED = re.compile(r"[\d@/#]|.[A-ZА-ЯЁ]")
"""A token holding a digit, an @, a slash, or a capital past its first letter is a value or a code."""
_SLIPPABLE = re.compile(r"[^\W\d_][^\W\d_A-ZА-ЯЁ]{3,}")
"""A word that can take a slip: four letters or more, no capital past its first (``_PROTECTED`` in one match)."""
_TRAILING_STOP = re.compile(r"[.!]+$")
_SPOKEN_PUNCTUATION = re.compile(
    r"[.!?;:…]+(?=\s|$)|[\"«»()—–]|(?<!\w)-(?!\w)|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
"""Marks speech has no sound for; a full stop inside a token (``3.5``, an email) stays."""
_NUMBER = re.compile(r"(?<![\w.,])\d{1,4}(?!\w|[.,]\d)")
_ENDS_WITH_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]$")
"""A phrase that ends with an emoji has ended: no full stop ("not working 😤.") and no closer after it."""


@dataclass(frozen=True, slots=True)
class WordMap:
    """Whole words (any case) and what to write instead, found with one regular expression."""

    pattern: re.Pattern[str]
    words: dict[str, str]

    @classmethod
    def of(cls, table: dict[str, str]) -> WordMap:
        alternatives = "|".join(re.escape(word) for word in sorted(table, key=len, reverse=True))
        return cls(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE),
                   {word.lower(): instead for word, instead in table.items()})

    def instead(self, match: re.Match[str]) -> str:
        return self.words[match.group(0).lower()]


@dataclass(frozen=True, slots=True)
class Talk:
    locale: str
    openers: tuple[str, ...]
    voice_openers: tuple[str, ...]
    closers: dict[str, tuple[str, ...]]
    """Ending kind (``ANY``, ``REQUEST``, ``CLOSING``) -> the closers that fit it."""
    closer_words: dict[str, re.Pattern[str]]
    """Ending kind -> any of its worded closers: a phrase that already says "pls" or "thanks" gets no second."""
    voice_closers: tuple[str, ...]
    casual: WordMap
    letters: dict[str, str]
    neighbours: dict[str, str]
    """Letter -> the keys beside it."""
    misspellings: WordMap
    off_topic_lines: tuple[str, ...]
    off_topic_asks: tuple[str, ...]
    off_topic_clauses: tuple[str, ...]
    off_topic_about: tuple[str, ...]
    off_topic_things: tuple[str, ...]
    teams: tuple[str, ...]
    voice_off_topic: tuple[str, ...]
    mash_rows: tuple[str, ...]
    noise: tuple[str, ...]
    complaint: dict[str, tuple[str, ...]]
    asr_drops: frozenset[str]
    asr_fillers: tuple[str, ...]
    asr_confusions: dict[str, tuple[str, ...]]
    digits_after: frozenset[str]
    """Words after which a number stays in digits (a spelt-out number would need a case: «к 15 числу»)."""
    chat_only: re.Pattern[str]
    amount_forms: tuple[str, ...]
    date_forms: tuple[str, ...]


def _neighbours(rows: list[str]) -> dict[str, str]:
    return {char: row[max(index - 1, 0):index] + row[index + 1:index + 2]
            for row in rows for index, char in enumerate(row)}


@functools.cache
def load_talk(locale: str) -> Talk:
    path = TALK_DIR / f"{locale}.toml"
    if not path.exists():
        known = sorted(p.stem for p in TALK_DIR.glob("*.toml"))
        raise ValueError(f"no talk file for locale {locale!r}; known: {', '.join(known)}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    off, complaint, asr, chat = data["off_topic"], data["complaint"], data["asr"], data["chat_only"]
    closers = data["closers"]
    return Talk(
        locale=locale,
        openers=tuple(data["openers"]["chat"]),
        voice_openers=tuple(data["openers"]["voice"]),
        closers={kind: (*closers[ANY], *closers[kind]) if kind != ANY else tuple(closers[ANY])
                 for kind in (ANY, REQUEST, CLOSING)},
        closer_words={kind: _any_word(closers[kind]) for kind in (ANY, REQUEST, CLOSING)},
        voice_closers=tuple(closers["voice"]),
        casual=WordMap.of(data["casual"]),
        letters=data["letters"],
        neighbours=_neighbours(data["typos"]["rows"]),
        misspellings=WordMap.of(data["typos"]["words"]),
        off_topic_lines=tuple(off["lines"]),
        off_topic_asks=tuple(off["asks"]),
        off_topic_clauses=tuple(off["clauses"]),
        off_topic_about=tuple(off["about"]),
        off_topic_things=tuple(off["things"]),
        teams=tuple(off["teams"]),
        voice_off_topic=tuple(off["voice"]),
        mash_rows=tuple(data["gibberish"]["rows"]),
        noise=tuple(data["gibberish"]["noise"]),
        complaint={key: tuple(values) for key, values in complaint.items()},
        asr_drops=frozenset(asr["drops"]),
        asr_fillers=tuple(asr["fillers"]),
        asr_confusions={word: tuple(heard) for word, heard in asr["confusions"].items()},
        digits_after=frozenset(asr["digits_after"]),
        amount_forms=tuple(data["values"]["amounts"]),
        date_forms=tuple(data["values"]["dates"]),
        chat_only=re.compile("|".join([rf"(?<!\w)(?:{'|'.join(chat['words'])})(?!\w)", *chat["marks"]]),
                             re.IGNORECASE),
    )


def chat_only(text: str, locale: str) -> str | None:
    found = load_talk(locale).chat_only.search(text)
    return None if found is None else found.group(0)


def spoken_number(number: int, locale: str) -> str:
    return num2words(number, lang=_NUM2WORDS_LANG[locale]).replace(",", "").replace("-", " ")


def _lower_first(text: str) -> str:
    """"Where is it" -> "where is it"; "I need", "SMS" and codes keep their capitals."""
    first = text.split(" ", 1)[0]
    if not first or first == "I" or first.startswith("I'") or _PROTECTED.search(first):
        return text
    return text[:1].lower() + text[1:]


def _casual(rng: Random, talk: Talk, text: str) -> str:
    casual = talk.casual
    return casual.pattern.sub(lambda match: casual.instead(match) if rng.random() < 0.6 else match.group(0), text)


def _with_opener(rng: Random, opener: str, text: str) -> str:
    """After "hi," the phrase may keep its capital; after "um so" it goes on in lower case."""
    keeps_capital = opener[-1:] in ",.:!?" and rng.random() < 0.4
    return f"{opener} {text if keeps_capital else _lower_first(text)}"


def _with_closer(closer: str, text: str) -> str:
    if closer[0] in "?!.(":
        return text.rstrip(".!") + closer
    return f"{text.rstrip('.')} {closer}" if text[-1:] in "?!" else f"{text.rstrip('.')}, {closer}"


@functools.cache
def _value_patterns(locale: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """How the generators write an amount (``$1,250.00``, ``1 250 ₽``) and a date (``March 7``, «7 марта»)."""
    from generators.pools import load_pools

    pools = load_pools(locale)
    thousands, decimal = re.escape(pools.thousands_separator), re.escape(pools.decimal_separator)
    amount = re.compile(rf"(?<![\d,.])(?<!\d{thousands}){re.escape(pools.currency_prefix)}"
                        rf"(?P<int>\d{{1,3}}(?:{thousands}\d{{3}})*)(?:{decimal}(?P<cents>\d\d))?"
                        rf"{re.escape(pools.currency_suffix)}")
    date = pools.date_pattern.format(month=f"(?P<month>{'|'.join(pools.months)})", day=r"(?P<day>\d{1,2})")
    return amount, re.compile(rf"\b{date}\b")


CASUAL_NOUNS: dict[str, tuple[str, ...]] = {"ru_RU": ("рубль",)}
"""Nouns the casual values agree with their number («1500 рублей»): precomputed with the pools' declensions."""


def _amount_fields(match: re.Match[str], locale: str) -> dict[str, str]:
    whole = re.sub(r"\D", "", match.group("int"))
    fields = {"int": whole, "cents": match.group("cents") or "00", "rubles": ""}
    if locale == "ru_RU":
        from generators.russian import agreed_noun

        fields["rubles"] = agreed_noun(int(whole), CASUAL_NOUNS[locale][0])
    return fields


def _date_fields(match: re.Match[str], locale: str) -> dict[str, str]:
    from generators.pools import load_pools

    day, month = int(match.group("day")), match.group("month")
    number = load_pools(locale).months.index(month) + 1
    return {"d": str(day), "dd": f"{day:02d}", "m": str(number), "mm": f"{number:02d}", "month": month.lower(),
            "mon": month[:3], "nth": num2words(day, to="ordinal_num", lang=_NUM2WORDS_LANG[locale])}


_DIGIT = re.compile(r"\d")


def casual_values(rng: Random, text: str, locale: str) -> str:
    """Amounts and dates as people type them: ``$1,250.00`` -> "1250 dollars", «7 марта» -> «07.03»."""
    if not _DIGIT.search(text):
        return text
    talk = load_talk(locale)
    amount, date = _value_patterns(locale)
    text = amount.sub(lambda match: rng.choice(talk.amount_forms).format_map(_amount_fields(match, locale)), text)
    return date.sub(lambda match: rng.choice(talk.date_forms).format_map(_date_fields(match, locale)), text)


def _any_word(phrases: list[str]) -> re.Pattern[str]:
    words = [re.escape(phrase) for phrase in phrases if phrase[:1].isalpha()]
    return re.compile(rf"(?<!\w)(?:{'|'.join(words) or '(?!)'})(?!\w)", re.IGNORECASE)


def _closer(rng: Random, talk: Talk, text: str, ending: str) -> str:
    """One of the closers that fit the turn; a phrase that already says "pls" or "thanks" gets no second one."""
    closer = rng.choice(talk.closers[ending])
    worded = talk.closer_words[ending]
    if (worded.fullmatch(closer) and worded.search(text)) or _ENDS_WITH_EMOJI.search(text):
        return text
    return _with_closer(closer, text)


def _chat(rng: Random, talk: Talk, text: str, greet: bool = True, ending: str = ANY) -> str:
    random = rng.random  # eight draws or more a phrase
    if random() < P_CASUAL_VALUES:
        text = casual_values(rng, text, talk.locale)
    if random() < P_CASUAL:
        text = _casual(rng, talk, text)
    if random() < P_LETTERS:
        for letter, typed in talk.letters.items():
            text = text.replace(letter, typed)
    if greet and random() < P_OPENER:
        text = _with_opener(rng, rng.choice(talk.openers), text)
    if random() < P_CLOSER:
        text = _closer(rng, talk, text, ending)
    if random() < P_NO_CAPITAL:
        text = _lower_first(text)
    if random() < P_NO_FULL_STOP:
        text = _TRAILING_STOP.sub("", text) or text
    if random() < P_TYPO:
        text = typo(rng, text, talk.locale)
    return text


def _spoken(text: str) -> str:
    """Speech as a transcript: lower case, no punctuation but commas."""
    return " ".join(_SPOKEN_PUNCTUATION.sub(" ", text).lower().split())


def _voice(rng: Random, talk: Talk, text: str, greet: bool) -> str:
    text = _spoken(text)
    if greet and rng.random() < P_VOICE_OPENER:
        text = f"{rng.choice(talk.voice_openers)} {text}"
    if rng.random() < P_VOICE_CLOSER:
        text = f"{text} {rng.choice(talk.voice_closers)}"
    if rng.random() < P_ASR:
        text = asr_noise(rng, text, talk.locale)
    return text


def compose(rng: Random, core: str, locale: str, voice: bool = False, *, greet: bool = False,
            ending: str = ANY) -> str:
    talk = load_talk(locale)
    if ending not in talk.closers:
        raise ValueError(f"unknown ending {ending!r}; known: {', '.join(talk.closers)}")
    return _voice(rng, talk, core, greet) if voice else _chat(rng, talk, core, greet, ending)


def _neighbour_key(rng: Random, talk: Talk, word: str, index: int) -> str:
    char = word[index]
    return word[:index] + rng.choice(talk.neighbours.get(char.lower(), char) or char) + word[index + 1:]


def _swapped(rng: Random, talk: Talk, word: str, index: int) -> str:
    return word[:index] + word[index + 1] + word[index] + word[index + 2:]


def _dropped(rng: Random, talk: Talk, word: str, index: int) -> str:
    return word[:index] + word[index + 1:]


def _doubled(rng: Random, talk: Talk, word: str, index: int) -> str:
    return word[:index] + word[index] + word[index:]


_SLIPS: tuple[Callable[[Random, Talk, str, int], str], ...] = (_neighbour_key, _swapped, _dropped, _doubled)
"""The slips a word's letter can take, a table rather than closures made for every typo."""


def _slip_letters(rng: Random, talk: Talk, word: str) -> str:
    index = rng.randrange(1, len(word) - 1)
    return rng.choice(_SLIPS)(rng, talk, word, index)


def typo(rng: Random, text: str, locale: str) -> str:
    talk = load_talk(locale)
    misspelt = list(talk.misspellings.pattern.finditer(text))
    if misspelt and rng.random() < 0.5:
        found = rng.choice(misspelt)
        return text[:found.start()] + talk.misspellings.instead(found) + text[found.end():]
    words = text.split(" ")
    fullmatch = _SLIPPABLE.fullmatch
    slippable = [index for index, word in enumerate(words) if fullmatch(word) and not word[0].isupper()]
    if not slippable:
        return text
    index = rng.choice(slippable)
    words[index] = _slip_letters(rng, talk, words[index])
    return " ".join(words)


def _said_as_words(number: int) -> bool:
    """Recognisers write small and round numbers as words; codes and odd amounts come out as digits."""
    return number <= 100 or number % 100 == 0


def _number_words(rng: Random, talk: Talk, text: str) -> str:
    def say(match: re.Match[str]) -> str:
        before = text[:match.start()].split()
        number = int(match.group(0))
        if not _said_as_words(number) or (before and before[-1].lower() in talk.digits_after) or (
                rng.random() >= P_NUMBER_AS_WORDS):
            return match.group(0)
        return spoken_number(number, talk.locale)

    return _NUMBER.sub(say, text)


def asr_noise(rng: Random, text: str, locale: str) -> str:
    talk = load_talk(locale)
    words = _spoken(_number_words(rng, talk, text)).split(" ")
    droppable = [index for index, word in enumerate(words) if word in talk.asr_drops]
    if droppable and len(words) > 3 and rng.random() < 0.5:
        del words[rng.choice(droppable)]
    confusable = [index for index, word in enumerate(words) if word in talk.asr_confusions]
    if confusable and rng.random() < 0.6:
        index = rng.choice(confusable)
        words[index] = rng.choice(talk.asr_confusions[words[index]])
    if len(words) > 2 and rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words)), rng.choice(talk.asr_fillers))
    return " ".join(word for word in words if word)


def _fill(rng: Random, talk: Talk, template: str) -> str:
    """Fill ``{city}``, ``{city:loct}`` and ``{team}`` in an off-topic template."""
    from generators.pools import load_pools

    def value(match: re.Match[str]) -> str:
        key, case = match.group(1), match.group(2)
        if key == "team":
            return rng.choice(talk.teams)
        city = load_pools(talk.locale).city(rng)
        if case is None:
            return city
        from generators.russian import inflect

        return inflect(city, case, place=True)

    filled = _PLACEHOLDER.sub(value, template)
    if talk.locale != "ru_RU":
        return filled
    from generators.russian import euphonic

    return euphonic(filled)  # «в Владивостоке» -> «во Владивостоке»


def gibberish(rng: Random, locale: str) -> str:
    talk = load_talk(locale)
    draw = rng.random()
    if draw < 0.15:
        return rng.choice(talk.noise)
    row = rng.choice(talk.mash_rows)
    if draw < 0.7:
        start = rng.randrange(len(row) - 3)
        return row[start:start + rng.randint(3, 8)]
    letters = "".join(rng.choice(row) for _ in range(rng.randint(3, 9)))
    return letters + letters[-1] * rng.randint(0, 3)


def off_topic(rng: Random, locale: str, voice: bool = False, greet: bool = True) -> str:
    talk = load_talk(locale)
    if voice:
        return rng.choice(talk.voice_off_topic)
    draw = rng.random()
    if draw < 0.2:
        line = rng.choice(talk.off_topic_lines)
    elif draw < 0.45:
        line = f"{rng.choice(talk.off_topic_asks)} {_fill(rng, talk, rng.choice(talk.off_topic_clauses))}?"
    elif draw < 0.75:
        line = f"{rng.choice(talk.off_topic_about)} {_fill(rng, talk, rng.choice(talk.off_topic_things))}?"
    else:
        return gibberish(rng, locale)
    return _chat(rng, talk, line, greet)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text[-1:] in ".!?" or _ENDS_WITH_EMOJI.search(text) else f"{text}."


_FIRST_WORD = re.compile(r"[^\W\d_][\w'’]*")


def complains(core: str, locale: str) -> bool:
    first = _FIRST_WORD.search(core)
    return first is None or first.group(0).lower() not in load_talk(locale).complaint["asks"]


def long_complaint(rng: Random, core: str, locale: str, voice: bool = False) -> str:
    parts = load_talk(locale).complaint
    prefix = "voice_" if voice else ""
    opener, ending = rng.choice(parts[f"{prefix}openers"]), rng.choice(parts[f"{prefix}endings"])
    core = core.strip()
    lead = f"{opener} {core[:1].upper() + core[1:] if opener[-1:] in '.!?:' else _lower_first(core)}"
    sentences = [_sentence(lead)]
    words = len(sentences[0].split()) + len(ending.split())  # counted as it grows, not joined and split again
    contexts = list(parts[f"{prefix}context"])
    rng.shuffle(contexts)
    while contexts and (len(sentences) < 2 or words < COMPLAINT_MIN_WORDS):
        sentences.append(_sentence(contexts.pop()))
        words += len(sentences[-1].split())
    text = " ".join([*sentences, ending])
    return _spoken(text) if voice else text
