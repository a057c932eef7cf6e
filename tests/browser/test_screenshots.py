"""scripts/screenshots.py, run as a person runs it: the README's pictures remade from a self-started demo mock,
and its flag errors as one line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"


def run(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *flags], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_script_saves_small_pictures_of_the_pages(tmp_path, browser):
    done = run("--only", "calendar", "--only", "login", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for name in ("calendar", "login"):
        data = (tmp_path / f"{name}.png").read_bytes()
        image = Image.open(io.BytesIO(data))
        assert image.size == (1200, 860) and image.mode == "P"  # a palette PNG, 1200 px wide
        assert len(data) < 120_000
    assert sorted(path.name for path in tmp_path.iterdir()) == ["calendar.png", "login.png"]  # no part file left
    assert "calendar.png" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("flags", "message"), [
    (("--url", "http://127.0.0.1:9"), "screenshots: --url http://127.0.0.1:9: no mock answers there"),
    (("--only", "everything"), "argument --only: invalid choice: 'everything' (choose from "),
    (("--chromium", "/nonexistent/chromium"), "screenshots: --chromium /nonexistent/chromium: not an executable"),
])
def test_a_bad_flag_is_a_one_line_error(tmp_path, browser, flags, message):
    done = run(*flags, "--out", str(tmp_path))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
