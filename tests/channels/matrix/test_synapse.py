"""The test homeserver itself: accounts by shared secret, a client logs in and talks."""

from __future__ import annotations

import nio

from tests.support.synapse import Synapse


async def test_registered_accounts_log_in_and_exchange_a_message(synapse: Synapse,
                                                                 tmp_path) -> None:
    alice, bob = synapse.register("smoke_alice"), synapse.register("smoke_bob")
    client = nio.AsyncClient(synapse.url, alice.user_id)
    try:
        login = await client.login(alice.password)
        assert isinstance(login, nio.LoginResponse)
        created = await client.room_create(invite=[bob.user_id])
        assert isinstance(created, nio.RoomCreateResponse)
        sent = await client.room_send(created.room_id, "m.room.message",
                                      {"msgtype": "m.text", "body": "bonjour"})
        assert isinstance(sent, nio.RoomSendResponse)
    finally:
        await client.close()
