"""Both flows over Matrix, options typed by number or label, a restart mid-flow, documents as
encrypted files; against a real Synapse, a real client playing the user."""

from __future__ import annotations

from pathlib import Path

import nio
from nio.crypto.attachments import decrypt_attachment

from bot.content.loader import Content
from tests.support.matrix import matrix_settings, matrix_user, name, running_channel, said, talk
from tests.support.synapse import Synapse


async def test_eligibility_by_number_and_label_across_a_restart(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    bot = synapse.register(name("bot"))
    settings = matrix_settings(synapse, bot, tmp_path / "bot.sqlite3")
    async with matrix_user(synapse, name("alice"), tmp_path) as alice:
        async with running_channel(settings, content):
            room = await alice.direct_room(bot.user_id)
            start = said(await alice.ask(room, "/eligibilite"))
            assert "[1] Commune" in start and "✖ Annuler" in start
            assert "⚠ Choisissez une réponse" in said(await alice.ask(room, "bof"))
            assert "Engagement 1 sur 5" in said(await alice.ask(room, "1"))
            assert "Engagement 2 sur 5" in said(await alice.ask(room, "oui"))
            assert "Votre réponse précédente : Oui" in said(await alice.ask(room, "Retour"))
        # a deploy: a new process, the same database, device and crypto store
        async with running_channel(settings, content):
            after = await alice.ask(room, "1")  # the option shown before the restart
            assert "Engagement 2 sur 5" in said(after)
            assert all(a.encrypted for a in after)
            for _ in range(3):
                await alice.ask(room, "Oui")
            refused = said(await alice.ask(room, "Non"))
            assert "❌ Votre structure n'est pas éligible" in refused
            again = said(await alice.ask(room,
                                         "Modifier « Rémunération au SMIC à temps plein »"))
            assert "Engagement 5 sur 5" in again
            final = said(await alice.ask(room, "Oui"))
            assert "✅ Votre structure est éligible" in final
            assert "C'est terminé" in said(await alice.ask(room, "Terminer"))


SIMULATION = ["/simulation", "2 postes", "Mayotte", "Privée (association, ESS…)",
              "Convention initiale (AMI 2020)", "01/01/2022", "18 mois",
              "Utiliser : 1 199,71 €"]


async def test_simulation_with_its_documents_as_encrypted_files(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "bob") as bob:
        for line in SIMULATION:
            await bob.ask(line)
        recap = said(await bob.ask("36,5 %"))
        assert "Simulation pour 2 postes (Mayotte)" in recap
        assert "[9] 📄 Télécharger la synthèse (PDF)" in recap
        files = [a for a in await bob.ask("9") if a.content.get("msgtype") == "m.file"]
        assert len(files) == 1 and "url" not in files[0].content
        encrypted = files[0].content["file"]  # an encrypted attachment: url and keys
        downloaded = await bob.user.client.download(encrypted["url"])
        assert isinstance(downloaded, nio.DownloadResponse)
        pdf = decrypt_attachment(downloaded.body, encrypted["key"]["k"],
                                 encrypted["hashes"]["sha256"], encrypted["iv"])
        assert pdf.startswith(b"%PDF")
        chart = [a for a in await bob.ask("📊 Graphique")
                 if a.content.get("msgtype") == "m.image"]
        assert len(chart) == 1 and chart[0].content["info"]["mimetype"] == "image/png"
        assert "C'est terminé" in said(await bob.ask("Terminer"))


async def test_messages_sent_during_a_stop_are_answered_in_order(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    bot = synapse.register(name("bot"))
    settings = matrix_settings(synapse, bot, tmp_path / "bot.sqlite3")
    async with matrix_user(synapse, name("sam"), tmp_path) as sam:
        async with running_channel(settings, content, timeline=2):
            room = await sam.direct_room(bot.user_id)
            assert "[1] Commune" in said(await sam.ask(room, "/eligibilite"))
        mark = len(sam.received)
        for line in ("1", "Oui", "Oui", "Retour"):  # the assistant is stopped meanwhile
            await sam.say(room, line)
        # a sync brings 2 messages a room: the 2 older ones are fetched back
        async with running_channel(settings, content, timeline=2):
            await sam.until(lambda: len([r for r in sam.received[mark:]
                                         if r.room_id == room]) >= 4, "four answers")
        answers = [r.body for r in sam.received[mark:] if r.room_id == room]
        assert ["Engagement 1 sur 5" in a for a in answers] == [True, False, False, False]
        assert "Engagement 2 sur 5" in answers[1] and "Engagement 3 sur 5" in answers[2]
        assert "Votre réponse précédente : Oui" in answers[3]
