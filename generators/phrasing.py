"""How a client's phrase reaches the log: a scenario phrase through the locale's talk (``generators.talk``).

The script says what kind of phrase a turn is (``generators.script`` modes); this module decides which of
the talk layer's changes fit it: a tapped button stays as shown, a statement may grow into a long complaint,
a misheard phrase carries more slips, a greeting opens a burst and nothing else.
"""

from __future__ import annotations

import functools
import re
from random import Random

from generators import talk
from generators.scenarios import is_bare_answer
from generators.script import FAREWELL, FIRST_ASK, GARBLED, GREETING, STATEMENT, TAP

LONG_SHARE = 0.16          # a goal's first statements grown into a long complaint (15+ words)
GARBLED_TYPO_SHARE = 0.5   # misheard phrases with one more slip: often why the bot missed them

_WORDS = re.compile(r"[^\W_]+")


def client_text(rng: Random, text: str, locale: str, voice: bool, mode: int) -> tuple[str, bool]:
    """The client's words for a filled scenario phrase, and whether speech recognition garbled them."""
    if mode & TAP or not text:
        return text, False
    core = _without_opener(text, locale)
    if mode & FIRST_ASK and rng.random() < LONG_SHARE and talk.complains(core, locale):
        return talk.long_complaint(rng, core, locale, voice), False
    # "hi" opens a burst (or a return after a pause), not its third phrase; one opener at most: not "hello, hey"
    greets = bool(mode & GREETING)
    composed = talk.compose(rng, text if greets else core, locale, voice, greet=greets and core == text,
                            ending=_ending(mode))
    if mode & GARBLED and not voice and rng.random() < GARBLED_TYPO_SHARE:
        composed = talk.typo(rng, composed, locale)
    return composed, voice and _lost_words(text, composed)


def _ending(mode: int) -> str:
    """Which closers fit the turn: "thanks" only in the client's last words, "pls" after a request."""
    if mode & FAREWELL:
        return talk.CLOSING
    return talk.REQUEST if mode & STATEMENT else talk.ANY


def _lost_words(said: str, heard: str) -> bool:
    """Recognition lost or changed a word (openers and fillers only add words; punctuation is not speech)."""
    kept = set(_WORDS.findall(heard.lower()))
    return any(word not in kept for word in _WORDS.findall(said.lower()))


def _without_opener(text: str, locale: str) -> str:
    """``text`` without a leading opener. Most phrases skip the long opener pattern: their first letter opens
    no opener; the others are kept (a scenario phrase is said often)."""
    if not _may_open(text[:1], locale):
        return text
    return _strip_opener(text, locale)


@functools.lru_cache(maxsize=1 << 12)
def _may_open(first: str, locale: str) -> bool:
    """Whether an opener can begin with the character ``first`` (kept per character: a lookup is cheaper
    than the match)."""
    return _initials(locale).match(first) is not None


@functools.lru_cache(maxsize=1 << 14)
def _strip_opener(text: str, locale: str) -> str:
    if text.lower().rstrip(",.:!?") in _opener_set(locale):  # «добрый день» is the whole phrase, not «добрый» + «день»
        return text
    found = _openers(locale).match(text)
    if not found or found.end() == len(text):
        return text
    rest = text[found.end():]
    return rest[:1].upper() + rest[1:] if text[:1].isupper() else rest


@functools.cache
def _opener_words(locale: str) -> list[str]:
    """The talk layer's openers, chat and spoken, lower case without their punctuation, longest first."""
    material = talk.load_talk(locale)
    openers = {opener.lower().rstrip(",.:!?") for opener in (*material.openers, *material.voice_openers)}
    return sorted(openers, key=len, reverse=True)


@functools.cache
def _opener_set(locale: str) -> frozenset[str]:
    return frozenset(_opener_words(locale))


@functools.cache
def _openers(locale: str) -> re.Pattern:
    """The openers with their punctuation, at a phrase's start."""
    alternatives = "|".join(map(re.escape, _opener_words(locale)))
    return re.compile(rf"(?:{alternatives})[,.:!?]*\s+", re.IGNORECASE)


@functools.cache
def _initials(locale: str) -> re.Pattern:
    """The openers' first letters, matched as ``_openers`` matches them (ignoring case)."""
    return re.compile(f"[{re.escape(''.join(sorted({word[0] for word in _opener_words(locale)})))}]",
                      re.IGNORECASE)


def offtopic(rng: Random, locale: str, voice: bool, greet: bool = True) -> str:
    """A one-off the bot was not built for: a one-liner, an odd question, or keyboard noise; never a bare
    "ok" or "yes", which would answer a question nobody asked. ``greet``: it opens the burst."""
    text = talk.off_topic(rng, locale, voice, greet)
    for _ in range(8):
        if not is_bare_answer(text, locale):
            break
        text = talk.off_topic(rng, locale, voice, greet)
    return text.lower() if voice else text  # a transcript has no capitals
