"""Flow benchmark: engine time per turn of a full simulation dialogue, database writes included.

Each dialogue runs through `Assistant.handle` against a real SQLite file (WAL, synchronous=FULL,
one commit per turn), or a real PostgreSQL server (`--postgres`: a throwaway PostgreSQL 15
started for the run, fsync on; or `--database postgresql://…`), from /simulation to the recap,
with a bad value re-asked, a ⬅ Retour, a « Modifier » and ✔ Terminer. Prints p50/p99 per turn
and turns per second; target p99 ≤ 20 ms.

Run: .venv/bin/python bench/flows.py [--dialogues 200] [--database PATH|URL] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import app  # noqa: E402
from bot.app import build_assistant  # noqa: E402
from bot.assistant import Assistant  # noqa: E402
from bot.core.replies import Conversation, Incoming, Outgoing  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

TARGET_P99_MS = 20.0
# (kind, value): "say" types a text; "press" presses the button with this label.
DIALOGUE = [
    ("say", "/simulation"), ("say", "2"), ("press", "Martinique"),
    ("press", "Publique (collectivité, établissement public…)"),
    ("press", "Renouvellement (2023)"), ("press", "Oui, en QPV ou en ZRR"),
    ("say", "12 mars 2023"), ("say", "quarante-huit"), ("say", "36"),
    ("say", "1 900 €"), ("say", "38,5"), ("press", "⬅ Retour"), ("say", "37"),
    ("press", "Modifier « Nombre de postes »"), ("say", "3"), ("press", "✔ Terminer"),
]


def flat(label: str) -> str:
    return label.replace("\u00a0", " ").replace("\u202f", " ")


async def dialogue(assistant: Assistant, conversation: Conversation,
                   timings: list[float]) -> None:
    """One full simulation, timing each turn."""
    last: list[Outgoing] = []
    for kind, value in DIALOGUE:
        if kind == "press":
            payload = next(b.payload for r in last for row in r.buttons for b in row
                           if flat(b.label) == value)
            incoming = Incoming.button(payload)
        else:
            incoming = Incoming.text(value)
        start = time.perf_counter()
        last = await assistant.handle(conversation, incoming)
        timings.append((time.perf_counter() - start) * 1000)
    assert "C'est terminé" in last[0].text, last[0].text


async def main(dialogues: int, database: str | None) -> int:
    content = app.load(ROOT / "knowledge", ROOT / "flows")
    with tempfile.TemporaryDirectory() as folder:
        path = database or Path(folder) / "bench.sqlite3"
        store = await Store.open(path)
        try:
            assistant = build_assistant(content, store)
            warmup: list[float] = []
            await dialogue(assistant, Conversation(-1, -1), warmup)
            timings: list[float] = []
            began = time.perf_counter()
            for number in range(dialogues):
                await dialogue(assistant, Conversation(number, number), timings)
            elapsed = time.perf_counter() - began
        finally:
            await store.close()
    cuts = statistics.quantiles(timings, n=100)
    p50, p99 = statistics.median(timings), cuts[98]
    engine = "PostgreSQL" if str(path).startswith("postgresql://") else "SQLite"
    print(f"Simulation complète : {len(DIALOGUE)} tours × {dialogues} dialogues = "
          f"{len(timings)} tours, {engine} : {path}")
    print(f"temps moteur par tour : p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
          f"max {max(timings):.2f} ms (objectif p99 ≤ {TARGET_P99_MS:.0f} ms)")
    print(f"débit : {len(timings) / elapsed:.0f} tours/s")
    return 0 if p99 <= TARGET_P99_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=200)
    parser.add_argument("--database", help="fichier SQLite ou URL postgresql:// "
                                           "(défaut : un fichier SQLite temporaire)")
    parser.add_argument("--postgres", action="store_true",
                        help="sur un serveur PostgreSQL 15 de passage (fsync actif)")
    args = parser.parse_args()
    if not args.postgres:
        sys.exit(asyncio.run(main(args.dialogues, args.database)))
    server = PostgresServer.start(durable=True)
    try:
        code = asyncio.run(main(args.dialogues, server.url))
    finally:
        server.stop()
    sys.exit(code)
