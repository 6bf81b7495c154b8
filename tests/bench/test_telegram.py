"""bench/telegram.py with a small load: every bot answers every update with a real answer.

The figures themselves are not checked here (speed belongs to the bench, not to tests); this
keeps the bench runnable and its counts honest: no update lost, no error counted as a reply.
"""

from __future__ import annotations

import re
import subprocess
import sys

from bot.core.config import ROOT

USERS, ROUNDS = 3, 2
ROW = re.compile(r"^(assistant|echo\S*)\s+(texte|bouton) : .+?\s+(\d+)\s+\d+"
                 r"\s+[\d.]+\s+[\d.]+\s+\S+\s+\d+\s+(\d+)$")


def test_the_bench_runs_every_bot_and_load_without_errors() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "telegram.py"), "--users", str(USERS),
         "--rounds", str(ROUNDS), "--repeats", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [ROW.match(line) for line in done.stdout.splitlines()]
    found = {(m[1], m[2]): (int(m[3]), int(m[4])) for m in rows if m}
    bots = ("assistant", "echo", "echo-taille", "echo-aiohttp")
    assert set(found) == {(bot, load) for bot in bots for load in ("texte", "bouton")}
    assert set(found.values()) == {(USERS * ROUNDS, 0)}  # every update answered, no error
    ratios = [line for line in done.stdout.splitlines() if line.startswith("ratio ")]
    assert len(ratios) == 6 and sum("(objectif ≥ 0,8)" in line for line in ratios) == 2
