"""Both flows in full in Telegram, with ⬅ Retour (edited in place), ✖ Annuler and Modifier."""

from __future__ import annotations

from collections.abc import Callable

from bot.core import messages
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator, ViewMessage
from tests.support.chat import spaced
from tests.support.telegram import App, Person


def edited_in_place(person: Person, pressed: ViewMessage) -> ViewMessage:
    """The one message an action changed, checked to be the pressed message, edited."""
    [message] = person.last
    assert message.message_id == pressed.message_id and message.edited
    return message


async def test_eligibility_in_full_with_back_modify_and_cancel(
        app: App, emu: BotApiEmulator, store: Store, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice.say("/eligibilite")
    assert "Quel type de structure représentez-vous ?" in alice.text
    assert alice.labels[-2:] == [messages.BACK, messages.CANCEL]
    await alice.press("Commune")
    assert "Engagement 1 sur 5" in alice.text

    # ⬅ Retour edits the question in place and shows the answer given.
    pressed = alice.message_with(messages.BACK)
    await alice.press(messages.BACK, pressed)
    screen = edited_in_place(alice, pressed)
    assert "Votre réponse précédente : Commune" in spaced(screen.text or "")
    await alice.press("✓ Commune")
    await alice.press("Oui")
    assert "Engagement 2 sur 5" in alice.text
    await alice.say("oui")  # typed answers work too
    assert "Engagement 3 sur 5" in alice.text
    for _ in range(3):
        await alice.press("Oui")
    assert "Votre structure est éligible" in alice.text
    assert "Éligibilité : éligible (AMI de novembre 2020)." in alice.text
    assert "Modifier « Type de structure »" in alice.labels

    # Modifier: the question again, in place; the new answer leads back to the recap.
    pressed = alice.message_with("Modifier « Type de structure »")
    await alice.press("Modifier « Type de structure »", pressed)
    screen = edited_in_place(alice, pressed)
    assert "Quel type de structure" in spaced(screen.text or "")
    await alice.press("CCAS ou CIAS")
    assert "comme les CCAS et les CIAS" in alice.text
    assert "• Type de structure : CCAS ou CIAS" in alice.text
    row = await store.conversation(alice.chat.id, alice.user.id)
    assert row is not None and row.step == "recapitulatif"
    assert row.answers["structure"] == "ccas_cias" and row.answers["smic"] == "oui"

    await alice.press("✔ Terminer")
    assert "C'est terminé" in alice.text

    # ✖ Annuler, in the middle of a new run, forgets the answers.
    await alice.say("/eligibilite")
    await alice.press("Association ou autre structure privée")
    assert "Quelle est votre structure privée ?" in alice.text
    await alice.press(messages.CANCEL)
    assert "C'est annulé : « Vérifier l'éligibilité » est abandonné." in alice.text
    row = await store.conversation(alice.chat.id, alice.user.id)
    assert row is not None and row.flow_id is None and row.answers == {}
    await alice.say("/reprendre")
    assert "Aucun questionnaire n'est en cours." in alice.text


async def test_simulation_in_full_with_back_keep_modify_and_cancel(
        app: App, emu: BotApiEmulator, store: Store, person: Callable[..., Person]) -> None:
    bob = person(12, "Bob")
    await bob.say("/simulation")
    assert "Combien de postes voulez-vous simuler ?" in bob.text
    assert bob.labels == ["1 poste", "2 postes", messages.BACK, messages.CANCEL]
    await bob.say("deux")
    await bob.press("Métropole (Hexagone et Corse)")
    await bob.press("Publique (collectivité, établissement public…)")
    await bob.press("Convention initiale (AMI 2020)")
    assert "À quelle date le contrat de travail commence-t-il" in bob.text
    await bob.say("12 mars 2021")
    assert bob.labels[:3] == ["18 mois", "24 mois", "36 mois"]
    await bob.say("48")
    assert "48 mois, c'est trop : le maximum est 36 mois." in bob.text
    await bob.press("24 mois")
    assert "1 554,58 €" in bob.text
    await bob.press("Utiliser : 1 554,58 €")
    await bob.say("40 %")
    assert "Simulation pour 2 postes (Métropole)" in bob.text
    assert "Subvention de l'État : 50 000 € par poste, soit 100 000 € au total." in bob.text
    assert "Reste à votre charge pour les salaires : 4 554,77 € par poste" in bob.text
    assert all(len(m.text or "") <= 4096 for m in bob.last)

    # ⬅ Retour from the recap edits it in place into the last question; « Garder » returns.
    pressed = bob.message_with(messages.BACK)
    await bob.press(messages.BACK, pressed)
    screen = edited_in_place(bob, pressed)
    assert "Votre réponse précédente : 40 %" in spaced(screen.text or "")
    await bob.press("Garder : 40 %")
    assert "109 109,54 €" in bob.text

    # Modifier « Nombre de postes », answered by typing: back to the recap with new figures.
    await bob.press("Modifier « Nombre de postes »")
    assert "Votre réponse précédente : 2 postes" in bob.text
    await bob.say("3")
    assert "Simulation pour 3 postes" in bob.text and "soit 150 000 € au total" in bob.text
    row = await store.conversation(bob.chat.id, bob.user.id)
    assert row is not None and row.answers["postes"] == 3 and row.answers["taux_patronal"] == 40
    await bob.press("✔ Terminer")
    assert "C'est terminé" in bob.text

    # A new simulation: ⬅ Retour twice, « Garder », then ✖ Annuler.
    await bob.say("/simulation")
    await bob.press("2 postes")
    await bob.press("Guyane")
    assert "publique ou privée" in bob.text
    await bob.press(messages.BACK)
    assert "Votre réponse précédente : Guyane" in bob.text
    await bob.press(messages.BACK)
    assert bob.labels == ["Garder : 2 postes", "1 poste", messages.BACK, messages.CANCEL]
    await bob.press("Garder : 2 postes")
    await bob.press("✓ Guyane")
    await bob.press(messages.CANCEL)
    assert "C'est annulé : « Simuler le financement » est abandonné." in bob.text
    assert "Choisissez un thème" in bob.text
    row = await store.conversation(bob.chat.id, bob.user.id)
    assert row is not None and row.flow_id is None
