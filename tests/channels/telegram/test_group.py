"""A group with two members: what the assistant answers, and whose buttons are whose."""

from __future__ import annotations

from collections.abc import Callable

from bot.channels.telegram.channel import NOT_YOUR_BUTTONS, NOT_YOUR_FLOW
from bot.core import messages
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator
from tests.support.telegram import App, Person


async def test_two_members_each_with_their_own_flow(
        app: App, emu: BotApiEmulator, store: Store, person: Callable[..., Person]) -> None:
    group = emu.group_chat(-100123, "Mairie de Trifouilly", supergroup=True)
    alice, bob = person(21, "Alice", chat=group), person(22, "Bob", chat=group)

    # The group's own talk is not for the assistant (it sees it: privacy mode is off here).
    assert await alice.say("bonjour à tous, réunion jeudi ?") == []
    assert await bob.say("/start@un_autre_bot") == []

    [question] = await alice.say("/simulation")
    alice_command = emu.messages(group)[-2]
    assert question.reply_to == alice_command.message_id
    assert "Combien de postes" in alice.text

    # Bob presses Alice's button: refused with an alert, Alice's flow is untouched.
    assert await bob.press("2 postes", question) == []
    answer = emu.answer_to(bob.last_query or "")
    assert answer is not None and answer.show_alert
    assert answer.text == NOT_YOUR_FLOW.format(command="simulation")
    row = await store.conversation(group.id, alice.user.id)
    assert row is not None and row.step == "postes"
    assert await store.conversation(group.id, bob.user.id) is None

    await alice.press("2 postes", question)
    assert "Où se trouve votre structure ?" in alice.text
    assert [m.reply_to for m in alice.last] == [alice_command.message_id]

    # Bob starts his own questionnaire, addressed to the assistant by name.
    [bob_question] = await bob.say("/eligibilite@cnfs_assistant_bot")
    await bob.press("Commune", bob_question)
    assert "Engagement 1 sur 5" in bob.text
    [bob_screen] = bob.last

    # Alice answers by mentioning the assistant; the mention is not part of her answer.
    await alice.say("@cnfs_assistant_bot Guyane")
    assert "publique ou privée" in alice.text
    row = await store.conversation(group.id, alice.user.id)
    assert row is not None and row.answers == {"postes": 2, "territoire": "guyane"}

    # A reply to the assistant's message is for it: a side question, then the flow again.
    last_for_alice = alice.last[-1]
    await alice.say("combien de temps dure la formation ?", reply_to=last_for_alice.message_id)
    assert "formation" in alice.text and "Pour reprendre « Simuler le financement »" in alice.text

    # Buttons that are not a flow's are the member's too.
    [menu] = await alice.say("/menu")
    assert await bob.press("Le programme en bref", menu) == []
    answer = emu.answer_to(bob.last_query or "")
    assert answer is not None and answer.text == NOT_YOUR_BUTTONS and answer.show_alert

    bob_row = await store.conversation(group.id, bob.user.id)
    assert bob_row is not None and bob_row.flow_id == "eligibilite"
    assert bob_row.answers == {"structure": "commune"}
    assert await bob.press(messages.CANCEL) == []  # the latest « Annuler » is Alice's
    await bob.press(messages.CANCEL, bob_screen)
    assert "C'est annulé : « Vérifier l'éligibilité »" in bob.text
    row = await store.conversation(group.id, alice.user.id)
    assert row is not None and row.flow_id == "simulation" and row.step == "structure"
