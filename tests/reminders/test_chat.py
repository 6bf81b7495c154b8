"""/rappels in the engine, as a user would use it (fixed clock, real content, real SQLite):
deadlines and reminders per milestone, confirm, list, cancel one and all, replacement, .ics."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.channels.console import plain
from bot.content.loader import Content
from bot.core.callbacks import MAX_CALLBACK_BYTES
from bot.core.replies import Conversation, Incoming
from bot.reminders.chat import ReminderChat
from bot.storage.store import Store
from bot.storage.timestamps import parse_ts
from tests.support.chat import Chat, temporary_store
from tests.support.reminders import FakeClock, parse, prop

UTC = dt.UTC
MONDAY = dt.datetime(2021, 3, 1, 12, 0, tzinfo=UTC)     # lundi 1er mars 2021, 13 h à Paris
KINDS = {
    "candidat_presente": "Un candidat m'a été présenté",
    "candidat_selectionne": "J'ai sélectionné un candidat",
    "contrat_signe": "Le contrat est signé",
    "prise_de_poste": "Le conseiller a pris son poste",
    "fin_formation": "Le conseiller a fini sa formation",
    "depart_conseiller": "Le conseiller est parti",
}


def flat(text: str) -> str:
    return plain(text).replace("\u00a0", " ")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY)


# The assistant's Store; `store` is the ReminderStore in tests/reminders.
database = pytest_asyncio.fixture(temporary_store, name="database")


@pytest.fixture
def assistant(content: Content, database: Store, clock: FakeClock) -> Assistant:
    return build_assistant(content, database, clock=clock)


@pytest.fixture
def me(assistant: Assistant) -> Chat:
    return Chat(assistant, chat_id=7, user_id=70)


async def rows(store: Store, sql: str, *args: object) -> list[tuple]:
    return [tuple(row) for row in await store.db.fetchall(sql, args)]


async def enter(chat: Chat, kind: str, date: str, territory: str | None = "Métropole "
                "(Hexagone et Corse)") -> str:
    """Answer the flow up to its recap; returns the recap's plain text."""
    await chat.say("/rappels")
    if "Nouvelle étape" in chat.labels:
        await chat.press("Nouvelle étape")
    await chat.press(KINDS[kind])
    await chat.say(date)
    if territory is not None:
        await chat.press(territory)
    assert "Programmer ces rappels" in chat.labels, flat(chat.text)
    return flat(chat.text)


def all_payloads(chat: Chat) -> list[str]:
    return [b.payload for reply in chat.last for row in reply.buttons for b in row]


@pytest.mark.parametrize(("kind", "deadlines", "reminders"), [
    ("candidat_presente",
     ["La sélection du candidat présenté doit intervenir au plus tard le mardi 16 mars 2021",
      "soit au plus tard le jeudi 1er avril 2021 : les deux sources divergent"],
     ["mardi 9 mars 2021", "vendredi 12 mars 2021", "mardi 16 mars 2021"]),
    ("candidat_selectionne",
     ["La signature du contrat de travail doit intervenir au plus tard le mardi 16 mars 2021"],
     ["mardi 9 mars 2021", "vendredi 12 mars 2021", "mardi 16 mars 2021"]),
    ("contrat_signe",
     ["Le conseiller doit partir en formation au plus tard le mardi 16 mars 2021"],
     ["mardi 9 mars 2021", "vendredi 12 mars 2021", "mardi 16 mars 2021"]),
    ("prise_de_poste",
     ["La période subventionnée de la convention initiale prend fin le mardi 28 février 2023",
      "La convention initiale avec l'État prend fin au plus tard le jeudi 29 février 2024",
      "Date indicative", "comme si le contrat avait commencé ce jour-là"],
     ["mardi 21 février 2023", "vendredi 24 février 2023", "mardi 28 février 2023",
      "jeudi 22 février 2024", "mardi 27 février 2024", "jeudi 29 février 2024"]),
    ("fin_formation",
     ["Le conseiller doit s'être présenté aux examens de certification (CCP1 et Pix) au plus "
      "tard le mercredi 1er septembre 2021"],
     ["mercredi 25 août 2021", "lundi 30 août 2021", "mercredi 1er septembre 2021"]),
    ("depart_conseiller",
     ["Le conseiller doit être remplacé au plus tard le mardi 1er juin 2021",
      "Règle appliquée : avant les règles de gestion du mercredi 14 mai 2025"],
     ["mardi 25 mai 2021", "vendredi 28 mai 2021", "mardi 1er juin 2021"]),
])
async def test_each_milestone_shows_its_deadlines_sources_and_reminders(
        me: Chat, database: Store, kind: str, deadlines: list[str],
        reminders: list[str]) -> None:
    recap = await enter(me, kind, "01/03/2021")
    for expected in deadlines:
        assert expected in recap
    assert "Source : " in recap
    listed = [line for line in recap.splitlines() if line.startswith("• ") and " à 9 h 00 : "
              in line]
    assert [line[2:].split(" à ")[0] for line in listed] == reminders
    await me.press("Programmer ces rappels")
    assert f"C'est programmé : {len(reminders)} rappels" in flat(me.text)
    stored = await rows(database, "SELECT chat_id, status, due_at, timezone FROM reminders"
                                  " ORDER BY due_at")
    assert [(r[0], r[1], r[3]) for r in stored] == [(7, "pending", "Europe/Paris")] * len(
        reminders)
    paris = ZoneInfo("Europe/Paris")
    assert {parse_ts(r[2]).astimezone(paris).time() for r in stored} == {dt.time(9, 0)}
    [milestone] = await rows(database, "SELECT chat_id, user_id, kind, date, territory"
                                       " FROM milestones")
    assert milestone == (7, 70, kind, "2021-03-01", "metropole")


async def test_yearless_date_is_the_latest_past_one(me: Chat, clock: FakeClock) -> None:
    async def answer(text: str) -> str | None:
        await me.say("/rappels")
        await me.press(KINDS["contrat_signe"])
        await me.say(text)
        row = await me.assistant.store.conversation(7, 70)
        assert row is not None
        return row.answers.get("date_jalon")

    clock.set(dt.datetime(2021, 12, 1, 9, 0, tzinfo=UTC))
    assert await answer("12 mars") == "2021-03-12"
    assert await answer("15 décembre") == "2020-12-15"        # not yet this year
    assert await answer("1er décembre") == "2021-12-01"       # today
    assert await answer("9/3") == "2021-03-09"
    clock.set(dt.datetime(2021, 3, 10, 9, 0, tzinfo=UTC))
    # 12 March 2020 is before the programme (17 November 2020): the coming one is meant
    assert await answer("12 mars") == "2021-03-12"
    assert await answer("31/02") is None
    assert "Cette date n'existe pas" in flat(me.text)


async def test_list_cancel_one_and_cancel_all(me: Chat, database: Store, assistant: Assistant,
                                              clock: FakeClock) -> None:
    await enter(me, "candidat_selectionne", "1er mars")
    await me.press("Programmer ces rappels")
    await me.press("Mes rappels")
    listing = flat(me.text)
    assert "Je vous écrirai :" in listing
    assert ("• mardi 9 mars 2021 à 9 h 00 : la signature du contrat de travail doit "
            "intervenir au plus tard le mardi 16 mars 2021") in listing
    assert "• Candidat sélectionné le lundi 1er mars 2021." in listing
    assert me.labels == ["Nouvelle étape", "Exporter (.ics)", "Annuler un rappel",
                         "Tout annuler", "☰ Menu"]
    await me.press("Annuler un rappel")
    assert me.labels[:3] == ["✖ 09/03/2021 · Signature du contrat de travail",
                             "✖ 12/03/2021 · Signature du contrat de travail",
                             "✖ 16/03/2021 · Signature du contrat de travail"]
    assert all(len(p.encode()) <= MAX_CALLBACK_BYTES for p in all_payloads(me))
    payload = all_payloads(me)[1]
    await me.press("✖ 12/03/2021 · Signature du contrat de travail")
    assert "Rappel du vendredi 12 mars 2021 à 9 h 00 annulé" in flat(me.text)
    assert "vendredi 12 mars 2021" not in flat(me.text).split("annulé", 1)[1]
    assert [r[0] for r in await rows(database, "SELECT status FROM reminders ORDER BY due_at")
            ] == ["pending", "cancelled", "pending"]
    again = await assistant.handle(me.conversation, Incoming.button(payload))
    assert "Ce rappel n'est plus programmé." in flat(again[0].text)
    await me.say("/rappels")
    await me.press("Tout annuler")
    assert flat(me.text).startswith("Annuler vos 2 rappels ?")
    await me.press("Non, garder")
    assert len(await assistant.feature(ReminderChat).reminders.pending(7)) == 2
    await me.press("Tout annuler")
    await me.press("Oui, tout annuler")
    assert "C'est fait : 2 rappels annulés." in flat(me.text)
    assert "Aucun rappel programmé." in flat(me.text)
    assert await assistant.feature(ReminderChat).reminders.pending(7) == []
    assert "Annuler un rappel" not in me.labels


async def test_a_forged_reminder_id_of_another_chat_does_nothing(
        me: Chat, assistant: Assistant, database: Store) -> None:
    await enter(me, "contrat_signe", "01/03/2021")
    await me.press("Programmer ces rappels")
    [target] = [r[0] for r in await rows(database, "SELECT min(id) FROM reminders")]
    other = Conversation(8, 80)
    for payload in (f"r:c:{target}", "r:t", "r:c:99999999999999999999999", "r:zz", "r:c:-1"):
        replies = await assistant.handle(other, Incoming.button(payload))
        assert "Signature" not in flat(replies[0].text)
        assert "formation" not in flat(replies[0].text)
    assert len(await assistant.feature(ReminderChat).reminders.pending(7)) == 3
    replies = await assistant.handle(other, Incoming.button(f"r:c:{target}"))
    assert "Ce rappel n'est plus programmé." in flat(replies[0].text)


async def test_a_new_milestone_of_the_same_kind_replaces_the_old_one(
        me: Chat, database: Store) -> None:
    await enter(me, "contrat_signe", "01/03/2021")
    await me.press("Programmer ces rappels")
    recap = await enter(me, "contrat_signe", "05/03/2021", territory=None)   # territory known
    assert "• Territoire : Métropole (Hexagone et Corse)" in recap
    assert "au plus tard le samedi 20 mars 2021" in recap
    await me.press("Programmer ces rappels")
    text = flat(me.text)
    assert "Elle remplace l'étape du lundi 1er mars 2021 : ses rappels restants sont annulés." \
        in text
    statuses = await rows(database, "SELECT m.date, r.status, r.due_at FROM reminders r JOIN"
                                    " milestones m ON m.id = r.milestone_id ORDER BY r.id")
    assert [s[:2] for s in statuses] == [("2021-03-01", "cancelled")] * 3 + \
        [("2021-03-05", "pending")] * 3
    # 20 March 2021 is a Saturday: the deadline is said as it is, "on the day" moves to Friday.
    assert [s[2][:10] for s in statuses[3:]] == ["2021-03-12", "2021-03-18", "2021-03-19"]
    assert len(await rows(database, "SELECT id FROM milestones WHERE cancelled_at IS NULL")) \
        == 1


async def test_ics_export_parses(me: Chat, assistant: Assistant) -> None:
    await me.say("/rappels")
    await me.press(KINDS["prise_de_poste"])
    await me.say("01/03/2021")
    await me.press("Guadeloupe")
    await me.press("Programmer ces rappels")
    await me.press("Exporter (.ics)")
    [reply] = me.last
    assert reply.file is not None and reply.file.kind == "document"
    assert reply.file.filename == "echeances-conseiller-numerique.ics"
    calendar = parse(reply.file.data)
    days = sorted(prop(event, "DTSTART") for event in calendar["components"])
    assert days == ["20230228", "20240229"]
    assert all("@cnfs-assistant" in prop(e, "UID") and ".7@" in prop(e, "UID")
               for e in calendar["components"])
    nothing = await assistant.handle(Conversation(9, 90), Incoming.button("r:i"))
    assert nothing[0].file is None
    assert "rien à exporter" in flat(nothing[0].text)


async def test_territory_is_asked_once_and_gives_the_time_zone(
        me: Chat, database: Store) -> None:
    recap = await enter(me, "contrat_signe", "01/03/2021", territory="La Réunion")
    assert "Je vous écrirai (heure de La Réunion) :" in recap
    await me.press("Programmer ces rappels")
    # 9:00 at La Réunion (UTC+4, no daylight saving) is 5:00 UTC
    due = await rows(database, "SELECT due_at, timezone FROM reminders ORDER BY due_at")
    assert due[0] == ("2021-03-09T05:00:00.000000Z", "Indian/Reunion")
    recap = await enter(me, "candidat_selectionne", "01/03/2021", territory=None)
    assert "Où se trouve votre structure ?" not in recap
    assert "• Territoire : La Réunion" in recap


async def test_weekend_deadline_across_daylight_saving(me: Chat, database: Store,
                                                       clock: FakeClock) -> None:
    clock.set(dt.datetime(2021, 3, 20, 12, 0, tzinfo=UTC))
    recap = await enter(me, "candidat_selectionne", "20/03/2021")
    # 4 April 2021 is a Sunday: said as it is; J-7 (Sunday 28 March, the day clocks change)
    # moves to Friday 26 March, J-2 and J0 both to Friday 2 April, kept once.
    assert "au plus tard le dimanche 4 avril 2021." in recap
    await me.press("Programmer ces rappels")
    due = [r[0] for r in await rows(database, "SELECT due_at FROM reminders ORDER BY due_at")]
    assert due == ["2021-03-26T08:00:00.000000Z",         # 9:00 winter time (UTC+1)
                   "2021-04-02T07:00:00.000000Z"]         # 9:00 summer time (UTC+2)


async def test_rappels_without_anything_starts_the_flow_and_payloads_fit(me: Chat) -> None:
    await me.say("/rappels")
    assert "Où en est votre recrutement ?" in flat(me.text)
    assert all(len(p.encode()) <= MAX_CALLBACK_BYTES for p in all_payloads(me))
    await me.say("/menu")
    assert "Rappels d'échéances" in me.labels
    await me.press("Rappels d'échéances")
    assert "Où en est votre recrutement ?" in flat(me.text)


@pytest.mark.parametrize("database_target", ["sqlite"], indirect=True)  # PRAGMA: SQLite's
async def test_schema_is_migration_4(database: Store) -> None:
    [(version,)] = await rows(database, "PRAGMA user_version")
    assert version >= 4
    tables = {r[0] for r in await rows(database, "SELECT name FROM sqlite_master WHERE"
                                                 " type = 'table'")}
    assert {"milestones", "reminders", "blocked_chats", "chat_territories"} <= tables
