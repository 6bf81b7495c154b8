"""What the FAQ says about the programme today: periods, today's rules, exact conditions."""

from __future__ import annotations

from bot.content.loader import Content


def answer_text(content: Content, entry_id: str) -> str:
    """The answer of an entry without its source line."""
    return content.faq[entry_id].answer.split("\n\n<i>Source")[0]


def test_a_candidate_is_excluded_only_when_doing_the_missions_most_of_the_time(
        content: Content) -> None:
    text = answer_text(content, "recrutement-candidat-deja-identifie")
    assert "pas déjà en poste sur ces missions" not in text
    assert "sur la majorité de son temps de travail" in text


def test_reevaluation_warning_is_about_a_recruitment_over_a_month(content: Content) -> None:
    text = answer_text(content, "recrutement-delai-selection")
    assert "au-delà de ce délai" not in text
    assert "un recrutement intervenant « dans un délai supérieur à un mois »" in text


def test_the_amount_answer_is_in_the_past_and_says_what_holds_today(content: Content) -> None:
    text = answer_text(content, "financement-montant-subvention")
    assert "l'État verse" not in text
    assert "l'État versait" in text
    assert f"Depuis le {content.params['date_regles_2025'].format()}" in text


def test_becoming_a_host_structure_is_no_longer_said_in_the_present(content: Content) -> None:
    text = answer_text(content, "programme-presentation")
    assert "Une collectivité peut devenir" not in text
    assert content.params["date_regles_2025"].format() in text
