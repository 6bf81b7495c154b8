"""The second reader: trained on phrasings, it names the entry of a new wording, keeps its
weights whole through arrays, and turns the matcher's suggestion into an answer only when it
agrees."""

from __future__ import annotations

import dataclasses

import pytest

from bot.faq.classifier import Classifier, features, fingerprint, train
from bot.faq.entries import FaqEntry
from bot.faq.matcher import FaqMatcher, Thresholds

PHRASINGS = {
    "salaire": ["quel salaire pour le conseiller", "combien est paye le conseiller",
                "remuneration du conseiller numerique", "grille de salaire du mediateur"],
    "formation": ["quelle formation suit le conseiller", "duree de la formation initiale",
                  "ou se forme le mediateur numerique", "formation certifiante du conseiller"],
    "locaux": ["faut il un bureau pour le conseiller", "quels locaux pour accueillir le public",
               "ou travaille le mediateur", "un local pour les permanences"],
}


def entry(entry_id: str, phrasings: list[str]) -> FaqEntry:
    return FaqEntry(id=entry_id, question=phrasings[0], variants=tuple(phrasings[1:]),
                    answer=f"Réponse sur {entry_id}.", answer_words="", sources=(),
                    uncertain=False, see_also=())


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher([entry(k, v) for k, v in PHRASINGS.items()])


@pytest.fixture(scope="module")
def reader(matcher: FaqMatcher) -> Classifier:
    return train(*matcher.training_documents())


def read(matcher: FaqMatcher, question: str) -> list[str]:
    return matcher.typed_terms(question)


def test_features_are_terms_neighbouring_pairs_and_pieces_of_terms() -> None:
    assert features(["payer", "cdi", "payer"]) == {
        "payer": 2, "cdi": 1, "payer cdi": 1, "cdi payer": 1,
        "#<pa": 2, "#pay": 2, "#aye": 2, "#yer": 2, "#er>": 2,
        "#<pay": 2, "#paye": 2, "#ayer": 2, "#yer>": 2, "#<paye": 2, "#payer": 2, "#ayer>": 2,
        "#<cd": 1, "#cdi": 1, "#di>": 1, "#<cdi": 1, "#cdi>": 1, "#<cdi>": 1}


def test_a_misspelt_word_is_still_read(matcher: FaqMatcher, reader: Classifier) -> None:
    entry_id, _ = reader.predict(read(matcher, "quelle remunerasion"))
    assert entry_id == "salaire"


def test_a_new_wording_is_read_as_its_entry(matcher: FaqMatcher, reader: Classifier) -> None:
    entry_id, probability = reader.predict(read(matcher, "quelle remuneration pour le mediateur"))
    assert entry_id == "salaire"
    assert 1 / 3 < probability <= 1
    entry_id, _ = reader.predict(read(matcher, "un bureau pour les permanences du conseiller"))
    assert entry_id == "locaux"


def test_nothing_known_gives_no_reading(matcher: FaqMatcher, reader: Classifier) -> None:
    assert reader.predict(read(matcher, "zzz wkq")) is None
    assert reader.predict([]) is None


def test_arrays_rebuild_the_same_reader(matcher: FaqMatcher, reader: Classifier) -> None:
    again = Classifier.from_arrays(reader.arrays())
    for question in ("remuneration conseiller", "formation du mediateur", "local public"):
        assert again.predict(read(matcher, question)) == reader.predict(read(matcher, question))


def test_the_fingerprint_follows_the_training_data(matcher: FaqMatcher) -> None:
    documents, labels = matcher.training_documents()
    assert fingerprint(documents, labels) == fingerprint(list(documents), list(labels))
    assert fingerprint(documents, labels) != fingerprint(documents[:-1], labels[:-1])
    assert fingerprint(documents, labels) != fingerprint(documents, [*labels[:-1], "salaire"])


def test_agreement_turns_a_suggestion_into_an_answer(matcher: FaqMatcher,
                                                     reader: Classifier) -> None:
    hesitant = Thresholds(answer=101.0, answer_far_ahead=101.0, suggest=1.0, agreed=1.0,
                          coverage_agreed=0.0, agreement=0.4)
    alone = FaqMatcher(matcher.entries, hesitant)
    helped = FaqMatcher(matcher.entries, hesitant)
    helped.second_reader = reader
    question = "remuneration du mediateur"
    assert alone.match(question).band == "suggest"
    found = helped.match(question)
    assert (found.band, found.agreed, found.best.entry.id) == ("answer", True, "salaire")
    doubtful = FaqMatcher(matcher.entries, dataclasses.replace(hesitant, agreement=0.99))
    doubtful.second_reader = reader
    assert doubtful.match(question).band == "suggest"   # agrees, but not surely enough
