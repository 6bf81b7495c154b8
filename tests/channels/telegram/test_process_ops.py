"""`python -m bot run` as a real process against the local Bot API: SIGHUP reloads the
content (invalid content refused, logged with file:line, the running content kept), the
JSON logs (one object a line, no token), GET /healthz on the webhook server."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import httpx

from tests.support.botapi import BotApiEmulator
from tests.support.processes import START, bot_process, environment, stop, webhook_process
from tests.support.telegram import WEBHOOK_SECRET

QUESTION = "Où le conseiller exerce-t-il ses missions ?"


class Lines:
    """The process's stderr, read as it comes, one JSON object a line."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream
        self.seen: list[str] = []

    async def wait_for(self, text: str, timeout: float = START) -> dict:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while True:
                line = (await self.stream.readline()).decode()
                assert line, f"stderr closed before {text!r}: {self.seen}"
                self.seen.append(line)
                if text in line:
                    return json.loads(line)


async def ask(emu: BotApiEmulator, chat, user, text: str) -> str:
    before = len(emu.bot_messages(chat))
    await emu.send_text(chat, user, text)
    await emu.wait_until(lambda: len(emu.bot_messages(chat)) > before, START, "a reply")
    return emu.bot_messages(chat)[-1].text or ""


async def test_sighup_reloads_valid_content_and_refuses_invalid_content(
        emu: BotApiEmulator, tmp_path: Path, content_dirs: tuple[Path, Path]) -> None:
    knowledge, flows = content_dirs
    faq = knowledge / "faq" / "conseiller.yaml"
    original = faq.read_text()
    env = environment(emu, tmp_path / "bot.sqlite3", BOT_KNOWLEDGE_DIR=str(knowledge),
                      BOT_FLOWS_DIR=str(flows))
    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with bot_process(env, "--log-format", "json") as process:
        assert process.stderr is not None
        lines = Lines(process.stderr)
        await lines.wait_for("Assistant prêt sur Telegram")
        assert "Au plus près du public" in await ask(emu, chat, alice, QUESTION)

        faq.write_text(original.replace("Au plus près du public", "Près des habitants"))
        process.send_signal(signal.SIGHUP)
        reloaded = await lines.wait_for("contenu rechargé")
        assert reloaded["level"] == "INFO"
        assert "Près des habitants" in await ask(emu, chat, alice, QUESTION)

        faq.write_text(original.replace("  reponse: |", "  reponse_: |", 1))
        process.send_signal(signal.SIGHUP)
        refused = await lines.wait_for("Contenu refusé")
        assert refused["level"] == "ERROR" and "conseiller.yaml:2:" in refused["message"]
        assert "Près des habitants" in await ask(emu, chat, alice, QUESTION)
        code, rest = await stop(process, signal.SIGTERM)
    assert code == 0
    log = lines.seen + rest.splitlines(keepends=True)
    events = [json.loads(line) for line in log if line.strip()]   # every line is JSON
    assert all({"time", "level", "logger", "message"} <= set(e) for e in events)
    assert any(e["message"].startswith("Base de données fermée") for e in events)
    text = "".join(log)
    assert emu.token not in text and emu.token.split(":")[1] not in text


async def test_healthz_on_the_webhook_server_and_the_secret_still_checked(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with (webhook_process(emu, tmp_path / "bot.sqlite3") as (process, port),
                httpx.AsyncClient() as http):
        # the webhook is set during start-up: the application reports running just after
        deadline = asyncio.get_running_loop().time() + START
        while True:
            health = await http.get(f"http://127.0.0.1:{port}/healthz")
            assert health.status_code == 200
            assert health.headers["content-type"].startswith("application/json")
            body = health.json()
            assert body["status"] == "ok"
            if body["running"] or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.05)
        assert body["running"] is True
        forged = await http.post(f"http://127.0.0.1:{port}/hook", json={"update_id": 1},
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "faux"})
        assert forged.status_code == 403
        assert (await http.get(f"http://127.0.0.1:{port}/ailleurs")).status_code == 404
        assert (await ask(emu, chat, alice, "/start")).startswith("Bonjour")
        code, log = await stop(process, signal.SIGTERM)
    assert code == 0, log
    assert "Base de données fermée" in log
    assert WEBHOOK_SECRET not in log and emu.token not in log
