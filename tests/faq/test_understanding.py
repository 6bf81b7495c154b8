"""Understanding the words of mairies: lemmas, scope, the question answered as a title."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.core.yamlsource import InvalidContent
from bot.faq.entries import load_scope
from bot.faq.feature import FaqFeature
from bot.faq.lemmas import lemmatizer
from bot.faq.talk import question_sentences
from tests.support.chat import Chat


def test_lemmas_of_accent_free_words() -> None:
    lemma = lemmatizer().lemma
    assert lemma("departements") == "departement"
    assert lemma("departement") != lemma("depart")
    assert lemma("financees") == "financer"
    assert lemma("locaux") == "local"
    assert lemma("conseillere") == "conseiller"
    assert lemma("xyzzy") == "xyzzy"


def test_another_subject_of_the_town_hall_gets_no_confident_answer(
        faq: FaqFeature) -> None:
    for question in ("comment recruter une secretaire de mairie",
                     "combien coute un policier municipal pour la commune"):
        assert faq.answer(question).kind != "faq", question


def test_the_programme_named_keeps_the_question_in_scope(content: Content) -> None:
    scope = content.matcher.scope
    assert scope.off_topic("recruter une secretaire de mairie")
    assert not scope.off_topic("notre secretaire de mairie peut elle devenir conseillere "
                               "numerique")


async def test_an_answer_not_matched_word_for_word_names_its_question(
        chat: Chat, faq: FaqFeature, content: Content) -> None:
    entry = content.faq["financement-montant-subvention"]
    exact = faq.answer(entry.question)
    assert exact.kind == "faq" and exact.title is None
    assert faq.answer(entry.variants[0].upper() + " ?").title is None
    loose = faq.answer("la mairie touche combien de l'etat pr son conseiller numerique")
    assert loose.kind == "faq"
    question = content.faq[loose.entry_id or ""].question
    assert loose.title == question
    replies = await chat.say("la mairie touche combien de l'etat pr son conseiller numerique")
    assert replies[0].text.startswith(f"<b>{question}</b>\n")


def test_scope_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "perimetre.yaml"
    path.write_text("programme: [conseiller]\nautres_sujets: 12\nautre: []\n", encoding="utf-8")
    with pytest.raises(InvalidContent) as error:
        load_scope(path)
    lines = [e.line for e in error.value.errors]
    assert lines == [2, 3]


def test_a_context_sentence_does_not_hide_the_question(faq: FaqFeature) -> None:
    assert question_sentences("Bonjour, je suis maire. Faut-il une délibération ?") == \
        "Faut-il une délibération ?"
    assert question_sentences("faut il une deliberation") == "faut il une deliberation"
    answer = faq.answer(
        "Bonjour, je suis maire d'une commune de 1 200 habitants, en zone rurale, loin de tout. "
        "Le conseil municipal doit-il prendre une délibération pour recruter un conseiller "
        "numérique ?")
    assert answer.kind == "faq" and answer.entry_id == "recrutement-deliberation"


def test_a_question_that_leans_on_its_context_is_not_answered_alone(faq: FaqFeature) -> None:
    # "Ça passe quand même ?" alone reads as the exams' "quand passe-t-il…": the whole message
    # ranks other entries, so no confident answer is drawn from the question sentence alone.
    for message in ("Notre commune a déjà un espace numérique à la médiathèque depuis 2015. "
                    "Ça passe quand même ?",
                    "Notre mairie a ouvert un tiers-lieu avec la région l'an dernier. "
                    "C'est normal ça ?"):
        assert faq.answer(message).kind != "faq", message


def test_a_small_figure_alone_is_no_reason_to_answer(faq: FaqFeature) -> None:
    # "10" is in the end-of-contract bonus's "10 %": a follow-up heard without its subject
    assert faq.answer("et pour 10 postes ?").kind != "faq"
    entry = "evolutions-v2-montants-public"   # an amount is telling: "17 500 €"
    assert faq.answer("17 500 € la 1re année puis 12 500 € ?").entry_id == entry


def test_a_question_about_another_job_is_not_answered_from_its_last_sentence(
        faq: FaqFeature) -> None:
    # "Il y a une aide de l'État pour ça ?" alone is about our subsidy; the message is not
    for message in ("Le maire voudrait créer un poste de policier municipal. Il y a une aide "
                    "de l'État pour ça ?",
                    "Fonds vert. Jusqu'à quand peut-on candidater ?"):
        assert faq.answer(message).kind != "faq", message


def test_related_entries_close_together_need_the_second_reader(
        faq: FaqFeature, content: Content) -> None:
    # "outre-mer" alone: the eligibility entry leads its related amounts entry by 2 points;
    # the second reader names the amounts entry, so both are offered, neither is asserted.
    matcher = content.matcher
    match = matcher.match("c'est plus en outre-mer ?")
    best, second = (c.entry for c in match.candidates[:2])
    assert best.id in second.see_also or second.id in best.see_also
    assert match.candidates[0].score - match.candidates[1].score < matcher.thresholds.margin
    terms = matcher.typed_terms(matcher.synonyms.apply(match.normalized))
    reading = matcher.second_reader.predict(terms) if matcher.second_reader else None
    assert reading is not None and reading[0] != best.id
    assert reading[1] >= matcher.thresholds.contradiction
    answer = faq.answer("c'est plus en outre-mer ?")
    assert answer.kind == "suggest"
    assert {best.id, second.id} <= {entry_id for entry_id, _ in answer.suggestions}


def test_a_weak_second_reading_does_not_block_related_entries(
        faq: FaqFeature, content: Content) -> None:
    # "c'est quoi un conseiller numérique": the presentation leads the related missions entry
    # by 4 points; the second reader leans to the missions, but too weakly to contradict.
    matcher = content.matcher
    match = matcher.match("c'est quoi un conseiller numérique ?")
    terms = matcher.typed_terms(matcher.synonyms.apply(match.normalized))
    reading = matcher.second_reader.predict(terms) if matcher.second_reader else None
    assert reading is not None and reading[1] < matcher.thresholds.contradiction
    answer = faq.answer("c'est quoi un conseiller numérique ?")
    assert (answer.kind, answer.entry_id) == ("faq", "programme-presentation")


def test_how_many_years_asks_a_duration_not_an_amount(faq: FaqFeature) -> None:
    # "combien" alone leans to the amounts; "combien d'années" reads as a duration
    answer = faq.answer("la convention de renouvellement, c'est pour combien d'années ?")
    assert (answer.kind, answer.entry_id) == ("faq", "financement-convention-36-mois")


def test_another_job_in_the_context_of_our_question_does_not_hide_it(faq: FaqFeature) -> None:
    answer = faq.answer("Notre commune a un policier municipal. Est-ce qu'on peut recruter un "
                        "conseiller numérique ?")
    assert answer.kind == "faq"
