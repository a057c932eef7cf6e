"""The server's documentation cannot rot: the curl walk-through runs against a fresh `serve` and must print what
it shows; every error code and every configuration key is documented; the Python example runs.

The section lives in docs/README-server.md until it is merged into README.md; the tests read whichever holds
the walk-through marker (README.md first).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mock_server import config as config_module
from mock_server.errors import ERRORS

from .support import CONFIG_TOML
from .test_serve import serve, stop

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- server-walkthrough -->"


def _document() -> str:
    for path in (ROOT / "README.md", ROOT / "docs" / "README-server.md"):
        if path.is_file() and MARKER in (text := path.read_text(encoding="utf-8")):
            return text
    pytest.fail(f"no document holds {MARKER}")


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
    config_module.parse_config(CONFIG_TOML)
    text = _document()
    short = {"accounts": "accounts", "accounts.projects": "projects", "accounts.users": "users"}
    missing = []
    for kind, keys in accepted.items():
        for key in keys:
            if kind == "(top)":
                names = (f"`{key}`", f"`[[{key}]]`")
            else:
                names = (f"`{short[kind]}.{key}`", f"`[[{kind}.{key}]]`")
            if not any(name in text for name in names):
                missing.append(f"{kind}.{key}")
    assert accepted.keys() == {"(top)", "accounts", "accounts.projects", "accounts.users"}
    assert not missing


def test_the_python_example_runs(tmp_path, monkeypatch):
    text = _document()
    section = text[text.index("### In Python"):]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README-server.md", "exec"), {"__name__": "readme_example"})
