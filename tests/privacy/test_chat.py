"""/oubli: everything about the user (or, in a group, the member) erased after a confirmation,
nobody else's data touched."""

from __future__ import annotations

from bot.assistant import Assistant
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat
from tests.support.records import milestone_for, rows_of, subscribe

FALLBACK_QUESTION = "quelle est la couleur du ciel sur mars"


async def fill(chat: Chat) -> None:
    """A member who did a bit of everything: questionnaire, questions, reminders…"""
    await chat.say("/simulation")
    await chat.press("2\u00a0postes")
    await chat.press("Métropole (Hexagone et Corse)")    # the chat's territory
    await chat.say(FALLBACK_QUESTION)                    # recorded as unanswered
    await milestone_for(chat.assistant, chat.conversation, FIXED_NOW)
    await chat.say("/abonner")


async def test_forget_asks_first_then_erases_everything_of_the_private_chat(
        assistant: Assistant, store: Store) -> None:
    alice, bob = Chat(assistant, 11, 11), Chat(assistant, 22, 22)
    await fill(alice)
    await fill(bob)
    before = await rows_of(assistant, 11)
    assert all(before[t] for t in ("conversations", "unanswered", "milestones", "reminders",
                                   "chat_territories", "subscriptions", "events"))
    bob_before = await rows_of(assistant, 22)

    await alice.say("/oubli")
    assert "C'est définitif" in alice.text
    assert alice.labels == ["Oui, tout effacer", "Non"]
    assert await rows_of(assistant, 11) == before          # nothing erased yet

    await alice.press("Non")
    assert alice.text == "D'accord, je n'ai rien effacé."
    assert await rows_of(assistant, 11) == before

    await alice.say("/oubli")
    [done] = await alice.press("Oui, tout effacer")
    assert done.replace and done.buttons == ()
    assert done.text.startswith("C'est effacé : votre questionnaire en cours et vos réponses, "
                                "1 question notée, 1 échéance, 3 rappels, le territoire retenu, "
                                "votre abonnement aux annonces")
    assert set((await rows_of(assistant, 11)).values()) == {0}
    assert await rows_of(assistant, 22) == bob_before      # Bob keeps everything

    await alice.say("/oubli")
    await alice.press("Oui, tout effacer")
    assert alice.text.startswith("Je n'avais rien enregistré vous concernant ici")


async def test_in_a_group_only_the_member_is_forgotten(assistant: Assistant) -> None:
    alice, bob = Chat(assistant, -100, 11), Chat(assistant, -100, 22)
    await fill(alice)
    await fill(bob)
    group_before = await rows_of(assistant, -100)
    bob_before = await rows_of(assistant, -100, 22)

    await alice.say("/oubli")
    assert "dans ce groupe" in alice.text and "est gardé" in alice.text
    await alice.press("Oui, tout effacer")
    assert "Dans ce groupe, j'ai effacé seulement ce qui vous concerne" in alice.text

    mine = await rows_of(assistant, -100, 11)
    assert (mine["conversations"], mine["unanswered"], mine["milestones"]) == (0, 0, 0)
    after = await rows_of(assistant, -100)
    assert after["reminders"] == group_before["reminders"] - 3     # Alice's only
    assert after["chat_territories"] == after["subscriptions"] == 1  # the group's own
    assert await rows_of(assistant, -100, 22) == bob_before | {
        "reminders": bob_before["reminders"] - 3}


async def test_a_confirmation_from_an_earlier_turn_is_refused(assistant: Assistant) -> None:
    alice = Chat(assistant, 11, 11)
    await fill(alice)
    await alice.say("/oubli")
    confirmation = alice.last
    await alice.say("/eligibilite")                      # the conversation moved on
    alice.last = confirmation
    await alice.press("Oui, tout effacer")
    assert "Ce bouton n'est plus actif" in alice.text
    assert (await rows_of(assistant, 11))["unanswered"] == 1


async def test_subscribe_and_unsubscribe(assistant: Assistant) -> None:
    alice = Chat(assistant, 11, 11)
    await alice.say("/abonner")
    assert alice.text.startswith("C'est noté : cette conversation recevra les annonces")
    await alice.say("/abonner")
    assert alice.text.startswith("Cette conversation reçoit déjà les annonces")
    assert (await rows_of(assistant, 11))["subscriptions"] == 1
    await alice.say("/desabonner")
    assert alice.text.startswith("C'est noté : cette conversation ne recevra plus")
    assert (await rows_of(assistant, 11))["subscriptions"] == 0
    await alice.say("/desabonner")
    assert alice.text.startswith("Cette conversation ne reçoit pas les annonces")
    await subscribe(assistant, 11, FIXED_NOW)
    assert (await rows_of(assistant, 11))["subscriptions"] == 1
