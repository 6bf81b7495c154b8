"""Two webhook replicas of the real Application on one PostgreSQL database, behind one public
URL (a round-robin proxy, as a host's router): a user's flow goes on whichever replica gets
each update, and nothing of it is lost."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import aiohttp
from aiohttp import web
from telegram import Update
from telegram.ext import TypeHandler

from bot.channels.telegram.channel import build_application
from bot.content.loader import Content
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator, free_port
from tests.support.chat import FIXED_NOW
from tests.support.http import serve
from tests.support.postgres import PostgresServer
from tests.support.telegram import (
    SIMULATION_UNTIL_DURATION,
    Handled,
    Person,
    serving,
    settings_for,
    stored_state,
    test_limiter,
)

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


@asynccontextmanager
async def round_robin(ports: list[int], hits: Counter[int]) -> AsyncIterator[str]:
    """A router that sends each webhook call to the next replica; its public URL."""
    turns = itertools.cycle(range(len(ports)))
    async with aiohttp.ClientSession() as session:
        async def forward(request: web.Request) -> web.Response:
            replica = next(turns)
            hits[replica] += 1
            headers = {k: v for k, v in request.headers.items() if k in FORWARDED}
            async with session.post(f"http://127.0.0.1:{ports[replica]}{request.path}",
                                    data=await request.read(), headers=headers) as answer:
                return web.Response(status=answer.status, body=await answer.read())

        async with serve(forward, "/telegram") as url:
            yield url


async def test_a_flow_spread_over_two_replicas_loses_no_step(
        emu: BotApiEmulator, content: Content, postgres: PostgresServer, handled: Handled,
        person: Callable[..., Person]) -> None:
    postgres.reset()
    ports, hits = [free_port(), free_port()], Counter[int]()
    alice = person(11, "Alice")
    async with round_robin(ports, hits) as public, AsyncExitStack() as replicas:
        for port in ports:
            settings = dataclasses.replace(settings_for(emu, postgres.url, port),
                                           webhook_url=public)
            app = build_application(settings, content, await Store.open(postgres.url),
                                    clock=lambda: FIXED_NOW, rate_limiter=test_limiter())
            app.add_handler(TypeHandler(Update, handled.record), group=100)
            await replicas.enter_async_context(serving(app, settings))
        await alice.say("/simulation")
        await alice.press("2 postes")
        await alice.press("Guyane")
        await alice.press("Publique (collectivité, établissement public…)")
        await alice.press("Convention initiale (AMI 2020)")
        await alice.say("12 mars 2021")
        assert "Quelle est la durée du contrat, en mois ?" in alice.text
    assert hits[0] >= 3 and hits[1] >= 3          # both replicas served the flow
    row = await stored_state(postgres.url, alice)
    assert row is not None and row.step == "duree"
    assert row.answers == SIMULATION_UNTIL_DURATION
