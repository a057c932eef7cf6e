"""The compiled build and the Python sources make the same bytes; what runs is what the sources say."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tomllib
from datetime import date

import pytest

import generators
from generators import AccountSpec, ProjectSpec, day_bytes
from generators.compiled import PACKAGE_DIR, PURE_PYTHON_ENV, compiled_sources, is_compiled, stale_extensions

ROOT = PACKAGE_DIR.parent
DAY = date(2026, 5, 1)
ACCOUNT = AccountSpec(1234567, projects=(  # both locales, phone and chat: each compiled module's paths run
    ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
    ProjectSpec("Shop", domain="retail", channels=("vk", "whatsapp"), locale="ru_RU"),
    ProjectSpec("Parcels", domain="delivery", channels=("resterisk", "telegram")),
    ProjectSpec("Telecom", domain="telecom", channels=("whatsapp", "resterisk"), locale="ru_RU"),
), sessions_per_day=400)

_CHILD = """
import hashlib, json, sys
from datetime import date
from generators import day_bytes
from generators.compiled import compiled_modules
from tests.generators.test_compiled import ACCOUNT
data = day_bytes(ACCOUNT, date.fromisoformat(sys.argv[1]))
print(json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "rows": data.count(b"\\r\\n"),
                  "compiled": compiled_modules()}))
"""


def _declared_modules() -> list[str]:
    """The modules pyproject.toml asks the build hook to compile, as module names."""
    with open(ROOT / "pyproject.toml", "rb") as stream:
        hook = tomllib.load(stream)["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]
    return [path.strip("/").removesuffix(".py").removesuffix("/__init__").replace("/", ".") for path in hook["include"]]


@pytest.mark.slow
def test_the_python_sources_give_the_bytes_of_the_modules_that_run_here():
    env = dict(os.environ, **{PURE_PYTHON_ENV: "1"})
    pure = json.loads(subprocess.run([sys.executable, "-c", _CHILD, DAY.isoformat()], check=True,
                                     capture_output=True, text=True, env=env, cwd=ROOT).stdout)
    assert pure["compiled"] == []  # the switch reached every module
    assert pure["rows"] > 1000
    assert pure["sha256"] == hashlib.sha256(day_bytes(ACCOUNT, DAY)).hexdigest()


def test_the_declared_modules_run_compiled_unless_asked_not_to():
    """CI installs with the build hook, so every declared module must run compiled there, or the speed the
    README states is not what runs. Elsewhere an install without a C compiler (HATCH_BUILD_NO_HOOKS) is allowed."""
    declared = _declared_modules()
    assert "generators.writing" in declared
    compiled = [name for name in declared if is_compiled(__import__(name, fromlist=["_"]))]
    if os.environ.get(PURE_PYTHON_ENV):
        assert compiled == []
    elif not compiled and not os.environ.get("CI"):
        pytest.skip("installed without compiling (no C compiler, or HATCH_BUILD_NO_HOOKS): pure Python")
    else:
        assert compiled == declared


def test_no_compiled_module_is_older_than_its_source():
    """A source edited after the install: the compiled build runs the old code (the sources, when asked for,
    run as written)."""
    stale = [] if os.environ.get(PURE_PYTHON_ENV) else stale_extensions()
    assert not stale, (f"edited after the last install, so the compiled build still runs the old code: "
                       f"{[str(path.relative_to(ROOT)) for path in stale]}; run `pip install -e .` again, or set "
                       f"{PURE_PYTHON_ENV}=1 to run the sources")
    assert all(source.parent.is_relative_to(PACKAGE_DIR) for source in compiled_sources())
    assert generators.__file__.endswith("__init__.py")  # the package itself is never compiled
