"""How a client's phrase reaches the log: a scenario phrase through the locale's talk (``generators.talk``).

The script says what kind of phrase a turn is (``generators.script`` modes); this module decides which of
the talk layer's changes fit it: a tapped button stays as shown, a statement may grow into a long complaint,
a misheard phrase carries more slips, a greeting opens a burst and nothing else.
"""

from __future__ import annotations

import inspect
from random import Random

from generators import talk
from generators.scenarios import is_bare_answer
from generators.script import CORRECTION, GARBLED, GREETING, STATEMENT, TAP

LONG_SHARE = 0.08          # statements grown into a long complaint (15+ words)
GARBLED_TYPO_SHARE = 0.5   # misheard phrases with one more slip: often why the bot missed them

_OPENER_KEYWORD = "opener" in inspect.signature(talk.compose).parameters
_HEARD = getattr(talk, "heard", None)
_CORRECTION = getattr(talk, "correction", None)


def client_text(rng: Random, text: str, locale: str, voice: bool, mode: int) -> tuple[str, bool]:
    """The client's words for a filled scenario phrase, and whether speech recognition garbled them."""
    if mode & TAP or not text:
        return text, False
    if mode & CORRECTION and _CORRECTION is not None:
        text = f"{_CORRECTION(rng, locale, voice)} {text}"
    if mode & STATEMENT and rng.random() < LONG_SHARE:
        return talk.long_complaint(rng, text, locale, voice), False
    greeting = bool(mode & GREETING)
    if voice and _HEARD is not None:
        return _HEARD(rng, text, locale, opener=greeting)
    composed = (talk.compose(rng, text, locale, voice, opener=greeting) if _OPENER_KEYWORD
                else talk.compose(rng, text, locale, voice))
    if mode & GARBLED and not voice and rng.random() < GARBLED_TYPO_SHARE:
        composed = talk.typo(rng, composed, locale)
    return composed, voice and composed.split() != text.lower().split()


def offtopic(rng: Random, locale: str, voice: bool) -> str:
    """A one-off the bot was not built for: a one-liner, an odd question, or keyboard noise; never a bare
    "ok" or "yes", which would answer a question nobody asked."""
    text = talk.off_topic(rng, locale, voice)
    for _ in range(8):
        if not is_bare_answer(text, locale):
            break
        text = talk.off_topic(rng, locale, voice)
    return text.lower() if voice else text  # a transcript has no capitals
