"""Issue 12.10: a my_chat_member "kicked" update suspends the chat at once (replies and
reminders), without waiting for a 403; unblocking makes it active again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.botapi import BotApiEmulator
from tests.support.database import rows
from tests.support.telegram import App, Handled, Person


def membership(emu: BotApiEmulator, person: Person, old: str, new: str) -> dict:
    def member(status: str) -> dict:
        return {"status": status, "user": emu.bot_user.to_api(),
                **({"until_date": 0} if status == "kicked" else {})}

    return {"chat": person.chat.to_api(), "from": person.user.to_api(), "date": 1_700_000_000,
            "old_chat_member": member(old), "new_chat_member": member(new)}


def chat_state(database: str | Path, chat_id: int) -> tuple[int | None, bool]:
    """(chats.active, reminders suspended) for a chat, read from the database."""
    active = rows(database, "SELECT active FROM chats WHERE chat_id = ?", (chat_id,))
    blocked = rows(database, "SELECT 1 FROM blocked_chats WHERE chat_id = ?", (chat_id,))
    return (active[0][0] if active else None), bool(blocked)


async def push(emu: BotApiEmulator, handled: Handled, payload: dict) -> None:
    update = emu.state.updates.push("my_chat_member", payload)
    assert update is not None, "my_chat_member is not in the allowed updates"
    await handled.wait(update["update_id"])


async def test_a_kicked_update_suspends_the_chat_and_unblocking_resumes_it(
        emu: BotApiEmulator, app: App, handled: Handled, database: str | Path,
        person: Callable[..., Person]) -> None:
    alice = person(51, "Alice")
    await alice.say("/start")
    await push(emu, handled, membership(emu, alice, "member", "kicked"))
    assert chat_state(database, alice.chat.id) == (0, True)
    await push(emu, handled, membership(emu, alice, "kicked", "member"))
    assert chat_state(database, alice.chat.id) == (1, False)
