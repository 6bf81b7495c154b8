"""bench/fuzz.py at a small size: generated texts, typed values at every step, button
payloads, odd updates and webhook bodies, through the engine and the real Application over
HTTP, find no traceback, no lost state and no invalid Telegram HTML."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from bot.core.config import ROOT

spec = importlib.util.spec_from_file_location("bench_fuzz", ROOT / "bench" / "fuzz.py")
assert spec is not None and spec.loader is not None
fuzz = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = fuzz  # its dataclasses look their module up
spec.loader.exec_module(fuzz)


async def test_a_small_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    report = await fuzz.run(engine=600, http=120, seed=12, folder=tmp_path)
    assert report.total() >= 700
    assert report.inputs["bouton du questionnaire"] and report.inputs["corps de webhook"]
    assert (report.tracebacks, report.lost, report.invalid_html) == ([], [], [])
