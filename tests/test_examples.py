"""The worked examples under examples/ keep passing: their own suites run here, in a subprocess of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.slow
@pytest.mark.parametrize("example", ["rawlogs_etl"])
def test_example_suite_passes_live_and_offline(pytester: pytest.Pytester, example: str) -> None:
    result = pytester.runpytest_subprocess(str(EXAMPLES / example), "-v", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("passed", 0) > 0 and set(outcomes) <= {"passed", "warnings"}, outcomes
    live = [line for line in result.outlines if "[live] PASSED" in line]
    offline = [line for line in result.outlines if "[offline] PASSED" in line]
    assert len(live) == len(offline) == outcomes["passed"] / 2  # every test, once in each mode
