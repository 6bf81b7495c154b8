"""One call per recap button: the right file, name, kind and caption."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from bot.core.callbacks import FLOW_CODE, FlowButton
from bot.documents.files import BUTTONS, CAPTIONS, CODES, offered, render
from bot.programme.params import Parameters
from tests.support.documents import answers

TODAY = dt.date(2021, 3, 16)


def test_pdf_is_sent_as_a_dated_document(params: Parameters) -> None:
    document = render("pdf", params, answers(), today=TODAY)
    assert document.filename == "simulation-conseiller-numerique-2021-03-16.pdf"
    assert document.kind == "document" and document.caption == CAPTIONS["pdf"]
    assert len(PdfReader(io.BytesIO(document.data)).pages) == 1


def test_chart_is_sent_as_a_photo(params: Parameters) -> None:
    document = render("chart", params, answers(), today=TODAY)
    assert document.filename.endswith("-2021-03-16.png") and document.kind == "photo"
    assert document.data.startswith(b"\x89PNG\r\n\x1a\n")


def test_deliberation_is_a_word_document(params: Parameters) -> None:
    document = render("deliberation", params, answers(), today=TODAY, collectivite="Mairie")
    assert document.filename.endswith(".docx") and document.kind == "document"
    assert Docx(io.BytesIO(document.data)).paragraphs[0].text.startswith("Modèle à adapter")


def test_private_structures_are_not_offered_a_deliberation() -> None:
    assert [kind for kind, _ in offered(answers())] == ["pdf", "chart", "deliberation"]
    assert [kind for kind, _ in offered(answers(structure="prive"))] == ["pdf", "chart"]
    assert [label for _, label in BUTTONS] == [
        "📄 Télécharger la synthèse (PDF)", "📊 Graphique", "📝 Modèle de délibération"]


def test_button_codes_are_valid_flow_codes() -> None:
    assert sorted(CODES.values()) == sorted(kind for kind, _ in BUTTONS)
    for code in CODES:
        assert FLOW_CODE.match(code)
        assert FlowButton(10**6, code).pack()  # fits Telegram's 64 bytes


def test_unknown_document_is_refused(params: Parameters) -> None:
    with pytest.raises(ValueError, match="unknown"):
        render("odt", params, answers(), today=TODAY)  # type: ignore[arg-type]
