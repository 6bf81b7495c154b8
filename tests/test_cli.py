"""The command-line contract, run as real processes on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.core import formatting
from bot.storage.schema import MIGRATIONS
from tests.support.processes import run_bot


def test_chat_from_stdin_prints_welcome_menu_and_overseas_figures(
        tmp_path: Path, content: Content) -> None:
    result = run_bot(tmp_path, "chat", stdin="/start\ncombien pour 2 postes en outre-mer ?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    welcome, _, computed = out.partition("» combien pour 2 postes")
    assert "Bonjour" in welcome
    assert "[1] " in welcome and "[2] " in welcome
    for territory in content.params.territories.values():
        if territory.overseas:
            total = formatting.euros(2 * content.params.subsidy(territory).value)
            assert total in computed
            assert territory.name in computed


def test_ask_json_reads_one_question_per_line(tmp_path: Path) -> None:
    questions = ["combien pour 2 postes en outre-mer ?", "recruter un policier municipal",
                 "qui peut accueillir un conseiller numérique ?"]
    result = run_bot(tmp_path, "ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["question"] for row in rows] == questions
    for row in rows:
        assert set(row) == {"question", "kind", "answer", "id", "score", "suggestions", "source"}
    assert rows[0]["kind"] == "compute"
    assert rows[1]["kind"] in ("suggest", "fallback")
    assert rows[2]["kind"] == "faq" and rows[2]["id"] and rows[2]["source"]


def test_ask_plain(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "ask", "combien pour 3 postes en Guadeloupe ?")
    assert result.returncode == 0, result.stderr
    assert "Guadeloupe" in result.stdout


def test_unanswered_lists_most_frequent_first(tmp_path: Path) -> None:
    lines = ["recette de la tarte aux pommes"] * 2 + ["quel temps fait-il a Brest"]
    assert run_bot(tmp_path, "chat", stdin="\n".join(lines) + "\n").returncode == 0
    result = run_bot(tmp_path, "unanswered")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("2 × recette de la tarte aux pommes") < out.index("1 × quel temps")


@pytest.mark.parametrize("command", [["unanswered"], ["check"]])
def test_commands_work_on_a_fresh_database(tmp_path: Path, command: list[str]) -> None:
    result = run_bot(tmp_path, *command)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_ask_json_small_talk_two_questions_and_no_context_between_lines(
        tmp_path: Path) -> None:
    questions = ["bonjour", "combien pour 2 postes et c'est quoi le CCP1 ?",
                 "combien pour 2 postes ?", "et en Guyane ?", "merci, au revoir"]
    result = run_bot(tmp_path, "ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["question"] for row in rows] == questions
    assert [row["kind"] for row in rows[:3]] == ["smalltalk", "compute", "compute"]
    assert rows[4]["kind"] == "smalltalk" and "Au revoir" in rows[4]["answer"]
    two = rows[1]
    assert [part["kind"] for part in two["parts"]] == ["compute", "faq"]
    assert two["parts"][1]["question"] == "c'est quoi le CCP1 ?" and two["parts"][1]["id"]
    assert {k: v for k, v in two.items() if k != "parts"} == \
        {**two["parts"][0], "question": two["question"]}
    alone = json.loads(run_bot(tmp_path, "ask", "--json", "et en Guyane ?").stdout)
    assert rows[3] == alone                   # the line before is not its context
    assert all("parts" not in row for row in rows if row is not two)
    unanswered = run_bot(tmp_path, "unanswered")
    assert "bonjour" not in unanswered.stdout and "au revoir" not in unanswered.stdout


def test_migrate_builds_the_schema_once_on_each_engine(tmp_path: Path,
                                                       empty_database: str | Path) -> None:
    first = run_bot(tmp_path, "migrate", database=empty_database)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Schéma mis à jour : version 0 → {len(MIGRATIONS)} (")
    again = run_bot(tmp_path, "migrate", database=empty_database)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Schéma déjà à jour")


def test_migrate_says_why_an_unreachable_database_is_refused(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "migrate",
                     database="postgresql://bot:secret@127.0.0.1:1/bot")
    assert result.returncode == 1
    assert "Base de données injoignable (postgresql://bot:***@127.0.0.1:1/bot)" in result.stderr
    assert "secret" not in result.stderr
