"""The simulation's recap offers its PDF, chart and draft délibération as files."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.support.chat import Chat, spaced

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOCX_SIGNATURE = b"PK"


async def simulate(chat: Chat, structure: str) -> None:
    await chat.say("/simulation")
    await chat.say("2")
    await chat.press("Métropole (Hexagone et Corse)")
    await chat.press(structure)
    await chat.press("Convention initiale (AMI 2020)")
    await chat.say("12 mars 2021")
    await chat.press("24 mois")
    await chat.press("Utiliser : 1 554,58 €")
    await chat.say("40 %")


async def test_recap_files_arrive_and_the_recap_stays(chat: Chat) -> None:
    await simulate(chat, "Publique (collectivité, établissement public…)")
    assert "Vos réponses" in chat.text
    recap_labels = chat.labels
    total = chat.text.split("Simulation du financement")[1].split(" de subvention")[0]
    total = total.replace("<b>", "").replace("</b>", "").lstrip(" :")

    [pdf] = await chat.press("📄 Télécharger la synthèse (PDF)")
    assert pdf.file is not None and pdf.file.kind == "document"
    assert pdf.file.filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(pdf.file.data))
    assert len(reader.pages) == 1
    assert spaced(total) in spaced(reader.pages[0].extract_text())

    await chat.say("/reprendre")
    assert chat.labels == recap_labels
    [png] = await chat.press("📊 Graphique")
    assert png.file is not None and png.file.kind == "photo"
    assert png.file.data.startswith(PNG_SIGNATURE)

    await chat.say("/reprendre")
    [docx] = await chat.press("📝 Modèle de délibération")
    assert docx.file is not None and docx.file.filename.endswith(".docx")
    assert docx.file.data.startswith(DOCX_SIGNATURE)


async def test_no_deliberation_for_a_private_structure(chat: Chat) -> None:
    await simulate(chat, "Privée (association, ESS…)")
    assert "📄 Télécharger la synthèse (PDF)" in chat.labels
    assert "📝 Modèle de délibération" not in chat.labels
