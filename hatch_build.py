"""The wheel's build hook: the generator's hot modules compiled with mypyc where this machine can, else none.

hatch-mypyc does the compiling (the modules and options are in pyproject.toml, under this hook). A machine
without a C compiler or Python's headers still gets a working install: the Python sources, which make the same
bytes about 1.4x slower, and a warning that says why, as PyYAML and msgpack fall back when they cannot build.
"""

from __future__ import annotations

from typing import Any

import hatch_mypyc.plugin as mypyc_plugin


class CompileWhenPossible(mypyc_plugin.MypycBuildHook):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        try:
            super().initialize(version, build_data)
        except Exception as error:  # the compiler's failure, whatever it is: the sources still work
            self.clean([version])  # no half of the modules compiled and the other half not
            reason = str(error).strip().splitlines()[-1][:300] if str(error).strip() else type(error).__name__
            self.app.display_warning(
                "jaicp-mock: the generator's modules were not compiled (mypyc needs a C compiler and Python's "
                f"headers: {reason}); they run from their Python sources, the same bytes about 1.4x slower")


def get_build_hook() -> type[CompileWhenPossible]:
    return CompileWhenPossible
