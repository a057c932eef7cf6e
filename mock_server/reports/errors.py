"""The report tasks' errors: their rows live in the one table (``mock_server.errors.ERRORS``, codes
``reports.*``); :class:`Problem` is an error as a value, for the parts that build no HTTP answer (a FAILED
task's error, the async event's, the offline command's)."""

from __future__ import annotations

import collections
import string
from dataclasses import dataclass
from typing import Any

from mock_server.errors import ERRORS, ErrorSpec

REPORT_ERRORS: dict[str, ErrorSpec] = {code: spec for code, spec in ERRORS.items() if code.startswith("reports.")}
"""The ``reports.*`` rows of the one table."""


@dataclass(frozen=True, slots=True)
class Problem:
    """The pieces of the error envelope: ``{"error": code, "message": message, "args": args}``."""

    code: str
    args: dict[str, Any]

    @property
    def status(self) -> int:
        return REPORT_ERRORS[self.code].status

    @property
    def message(self) -> str:
        return render_report_message(self.code, self.args)

    def envelope(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "args": self.args}


def render_report_message(code: str, args: dict[str, Any]) -> str:
    """The code's message with ``args`` filled in; a missing arg shows as ``?`` rather than failing."""
    blank_when_missing = collections.defaultdict(lambda: "?", args)
    return string.Formatter().vformat(REPORT_ERRORS[code].template, (), blank_when_missing)
