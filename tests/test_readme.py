"""The README cannot rot, and this is the one place its examples run: Python blocks are executed (pytest-style ones
by pytest), the shell walk-through of `generate` and `validate` runs as written, the curl walk-through runs against
a fresh `serve` and must print what it shows, and every error code and configuration key is documented."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server import config as config_module
from mock_server.errors import ERRORS
from tests.support import CONFIG_TOML, ROOT, serve, stop

README = ROOT / "README.md"
MARKER = "<!-- server-walkthrough -->"
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


@pytest.mark.slow
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


@pytest.mark.slow
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
    text = _document()
    promised = re.search(r"`(03-03-2026\.csv: OK: [^`]*)`", text).group(1)
    checked = subprocess.run([_jaicp_mock_command(), "validate", "03-03-2026.csv"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert checked.stdout.strip() == promised  # the line the README shows for the example day


def test_the_stats_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    """The profile of the example day in the README is what `jaicp-mock stats` prints for it today."""
    text = _document()
    shown = BLOCK.search(text, text.index("`jaicp-mock stats FILE... [--json]`")).group(2)
    command = _jaicp_mock_command()
    subprocess.run([command, "generate", "--date", "2026-03-03", "-o", "03-03-2026.csv"], cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    printed = subprocess.run([command, "stats", "03-03-2026.csv"], cwd=tmp_path, check=True, capture_output=True,
                             text=True, timeout=120).stdout
    assert printed.rstrip("\n") == shown.rstrip("\n")


def _document() -> str:
    return README.read_text(encoding="utf-8")


def _walkthrough() -> list[tuple[str, str]]:
    text = _document()
    block = re.search(r"```console\n(.*?)```", text[text.index(MARKER):], re.DOTALL).group(1)
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in steps]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through uses curl")
def test_the_curl_walkthrough_prints_what_the_readme_shows(tmp_path):
    steps = _walkthrough()
    assert len(steps) > 15
    process, url, _ = serve("--now", "2026-03-04T09:00:00Z", "--quiet")
    try:
        for command, expected in steps:
            if command.startswith("export JAICP="):
                continue
            result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                                    timeout=60, env={"PATH": os.environ["PATH"], "JAICP": url, "HOME": str(tmp_path)})
            assert result.stdout.rstrip("\n") == expected, f"$ {command}\n{result.stderr}"
    finally:
        assert stop(process)[0] == 0


def test_every_error_code_is_documented():
    text = _document()
    missing = [code for code in ERRORS if f"`{code}`" not in text]
    assert not missing


def test_every_configuration_key_is_documented(monkeypatch):
    """Record the keys each table accepts while parsing (every getter runs, present or not), then look them up."""
    accepted: dict[str, set[str]] = {}
    finish = config_module._Table.finish

    def recording(table):
        kind = re.sub(r"\[\d+\]", "", table.prefix).rstrip(".") or "(top)"
        accepted.setdefault(kind, set()).update(table.used)
        return finish(table)

    monkeypatch.setattr(config_module._Table, "finish", recording)
    config_module.parse_config(CONFIG_TOML + "\n[reports]\n")  # a table's getters all run, its keys given or not
    text = _document()
    short = {"accounts": "accounts", "accounts.projects": "projects", "accounts.users": "users", "reports": "reports"}
    missing = []
    for kind, keys in accepted.items():
        for key in keys:
            if kind == "(top)":
                names = (f"`{key}`", f"`[[{key}]]`")
            else:
                names = (f"`{short[kind]}.{key}`", f"`[[{kind}.{key}]]`")
            if not any(name in text for name in names):
                missing.append(f"{kind}.{key}")
    assert accepted.keys() == {"(top)", "accounts", "accounts.projects", "accounts.users", "reports"}
    assert not missing
