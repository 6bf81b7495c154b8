"""The bench scripts of bench/, loaded as modules so that tests run them at small counts."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from bot.core.config import ROOT


def load_bench(name: str) -> ModuleType:
    """bench/<name>.py as a module."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
