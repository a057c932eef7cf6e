"""The README's examples run, so they cannot rot: Python blocks are executed (pytest-style ones by pytest),
and the shell walk-through of `generate` and `validate` runs as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language]


PYTHON = _blocks("python")
PLAIN = [block for block in PYTHON if "def test_" not in block]
PYTEST = [block for block in PYTHON if "def test_" in block]


def test_the_readme_has_examples_of_each_kind() -> None:
    assert PLAIN and PYTEST


@pytest.mark.parametrize("block", PLAIN, ids=lambda block: block.strip().splitlines()[0][:50])
def test_python_example_runs(block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(README), "exec"), {"__name__": "readme_example"})


@pytest.mark.parametrize("block", PYTEST, ids=lambda block: re.search(r"def (test_\w+)", block).group(1))
def test_pytest_example_passes(block: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example=block)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    tests = len(re.findall(r"^def test_|^    def test_", block, re.MULTILINE))
    result.assert_outcomes(passed=tests)


def _jaicp_mock_command() -> str:
    installed = shutil.which("jaicp-mock", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                                  os.environ.get("PATH", "")]))
    assert installed, "the jaicp-mock console script is not installed"
    return installed


def test_generate_walkthrough_runs_as_written(tmp_path: Path) -> None:
    block = next(block for block in _blocks("bash") if "jaicp-mock generate" in block and "validate" in block)
    script = "set -euo pipefail\n" + "\n".join(line.split("#")[0] for line in block.splitlines())
    env = dict(os.environ, PATH=f"{Path(_jaicp_mock_command()).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "03-03-2026.csv").is_file()
    assert sorted(path.name for path in (tmp_path / "exports").iterdir()) == [
        f"{day:02d}-03-2026.csv" for day in range(3, 10)]
    assert result.stdout.count(": OK: ") == 7
