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
from generators.script import GARBLED, GREETING, STATEMENT, TAP

LONG_SHARE = 0.08          # statements grown into a long complaint (15+ words)
GARBLED_TYPO_SHARE = 0.5   # misheard phrases with one more slip: often why the bot missed them

_WORDS = re.compile(r"[^\W_]+")


def client_text(rng: Random, text: str, locale: str, voice: bool, mode: int) -> tuple[str, bool]:
    """The client's words for a filled scenario phrase, and whether speech recognition garbled them."""
    if mode & TAP or not text:
        return text, False
    if mode & STATEMENT and rng.random() < LONG_SHARE:
        return talk.long_complaint(rng, _without_opener(text, locale), locale, voice), False
    calm = not mode & GREETING  # "hi" opens a session (or a return after a pause), not its third phrase
    composed = talk.compose(rng, _without_opener(text, locale) if calm else text, locale, voice)
    stripped = _without_opener(composed, locale, remember=False)  # once: the opener pattern is long
    if calm or _openers(locale).match(stripped):  # one opener at most: not "hello, hey"
        composed = stripped
    if mode & GARBLED and not voice and rng.random() < GARBLED_TYPO_SHARE:
        composed = talk.typo(rng, composed, locale)
    return composed, voice and _lost_words(text, composed)


def _lost_words(said: str, heard: str) -> bool:
    """Recognition lost or changed a word (openers and fillers only add words; punctuation is not speech)."""
    kept = set(_WORDS.findall(heard.lower()))
    return any(word not in kept for word in _WORDS.findall(said.lower()))


def _without_opener(text: str, locale: str, *, remember: bool = True) -> str:
    """``text`` without a leading opener. Most phrases skip the long opener pattern: their first letter opens
    no opener. ``remember``: keep the result (a scenario phrase is said often; a composed one is new)."""
    if not _may_open(text[:1], locale):
        return text
    return _remembered(text, locale) if remember else _strip_opener(text, locale)


@functools.lru_cache(maxsize=1 << 12)
def _may_open(first: str, locale: str) -> bool:
    """Whether an opener can begin with the character ``first`` (kept per character: a lookup is cheaper
    than the match)."""
    return _initials(locale).match(first) is not None


def _strip_opener(text: str, locale: str) -> str:
    found = _openers(locale).match(text)
    if not found or found.end() == len(text):
        return text
    rest = text[found.end():]
    return rest[:1].upper() + rest[1:] if text[:1].isupper() else rest


_remembered = functools.lru_cache(maxsize=1 << 14)(_strip_opener)


@functools.cache
def _opener_words(locale: str) -> list[str]:
    """The talk layer's openers, chat and spoken, lower case without their punctuation, longest first."""
    material = talk.load_talk(locale)
    openers = {opener.lower().rstrip(",.:!?") for opener in (*material.openers, *material.voice_openers)}
    return sorted(openers, key=len, reverse=True)


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


def offtopic(rng: Random, locale: str, voice: bool) -> str:
    """A one-off the bot was not built for: a one-liner, an odd question, or keyboard noise; never a bare
    "ok" or "yes", which would answer a question nobody asked."""
    text = talk.off_topic(rng, locale, voice)
    for _ in range(8):
        if not is_bare_answer(text, locale):
            break
        text = talk.off_topic(rng, locale, voice)
    return text.lower() if voice else text  # a transcript has no capitals
