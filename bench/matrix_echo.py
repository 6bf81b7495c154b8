"""A minimal matrix-nio echo bot, the reference of bench/matrix.py: the same library and
encryption as the assistant, each message echoed at once (one task per message, so it is as
concurrent as the assistant). Settings from MATRIX_HOMESERVER, MATRIX_USER_ID,
MATRIX_ACCESS_TOKEN and MATRIX_STORE_DIR; says "ready" on stderr; stops on SIGTERM."""

from __future__ import annotations

import asyncio
import html
import os
import signal
import sys
from typing import Any

import nio


async def main() -> None:
    store = os.environ["MATRIX_STORE_DIR"]
    os.makedirs(store, exist_ok=True)
    client = nio.AsyncClient(os.environ["MATRIX_HOMESERVER"], os.environ["MATRIX_USER_ID"],
                             store_path=store, config=nio.AsyncClientConfig(
                                 encryption_enabled=True, store_sync_tokens=True))
    client.access_token = os.environ["MATRIX_ACCESS_TOKEN"]
    who = await client.whoami()
    assert isinstance(who, nio.WhoamiResponse), who
    client.restore_login(who.user_id, who.device_id, client.access_token)
    if client.should_upload_keys:
        await client.keys_upload()
    await client.sync(timeout=0, full_state=True)
    tasks: set[asyncio.Task[Any]] = set()

    async def echo(room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        await client.room_send(room.room_id, "m.room.message", {
            "msgtype": "m.text", "body": event.body, "format": "org.matrix.custom.html",
            "formatted_body": html.escape(event.body)}, ignore_unverified_devices=True)

    async def on_text(room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        if event.sender != client.user_id:
            task = asyncio.create_task(echo(room, event))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def on_invite(room: nio.MatrixRoom, event: nio.InviteMemberEvent) -> None:
        if event.state_key == client.user_id and event.membership == "invite":
            await client.join(room.room_id)

    client.add_event_callback(on_text, nio.RoomMessageText)
    client.add_event_callback(on_invite, nio.InviteMemberEvent)
    for room_id in list(client.invited_rooms):
        await client.join(room_id)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    syncing = asyncio.create_task(client.sync_forever(timeout=30_000))
    print("ready", file=sys.stderr, flush=True)
    await stopping.wait()
    syncing.cancel()
    await asyncio.gather(syncing, *tasks, return_exceptions=True)
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
