"""One-line amount answers, computed from knowledge/parametres.yaml."""

from __future__ import annotations

import pytest

from bot.content.loader import Content
from bot.core import formatting
from bot.core.text import normalize
from bot.faq import quick
from bot.faq.quick import QuickRequest, answer, parse


def ask(content: Content, question: str) -> str | None:
    request = parse(normalize(question), content.params)
    return None if request is None else answer(request, content.params)


def test_two_posts_overseas_gives_each_rate(content: Content) -> None:
    params = content.params
    text = ask(content, "combien pour 2 postes en outre-mer ?")
    assert text is not None
    rates = {params.subsidy(t).value for t in params.territories.values() if t.overseas}
    assert len(rates) >= 2
    for rate in rates:
        assert formatting.euros(2 * rate) in text
    assert "Guadeloupe" in text and "Mayotte" in text
    assert "AMI 2020" in text and "Source :" in text


def test_three_posts_in_guadeloupe(content: Content) -> None:
    per_post = content.params.subsidy(content.params.territories["guadeloupe"]).value
    text = ask(content, "subvention pour trois postes en Guadeloupe")
    assert text is not None
    assert f"3 × {formatting.euros(per_post)} = <b>{formatting.euros(3 * per_post)}</b>" in text


def test_territory_and_posts_in_any_order(content: Content) -> None:
    per_post = content.params.subsidy(content.params.territories["mayotte"]).value
    text = ask(content, "Mayotte 1 poste combien")
    assert text is not None
    assert formatting.euros(per_post) in text
    assert "Mayotte" in text


def test_posts_without_territory_is_metropole(content: Content) -> None:
    per_post = content.params["subvention_public_metropole"].value
    text = ask(content, "cb pr 5 postes")
    assert text is not None
    assert formatting.euros(5 * per_post) in text


@pytest.mark.parametrize("question", ["3 postes pour la comcom, ça fait combien ?",
                                      "cb pr 3 postes dans nos intercos"])
def test_what_mairies_call_their_intercommunality_is_a_public_structure(
        content: Content, question: str) -> None:
    request = parse(normalize(question), content.params)
    assert request is not None
    assert (request.posts, request.structure) == (3, "public")


def test_uncertain_amounts_are_flagged(content: Content) -> None:
    text = ask(content, "combien pour 1 poste en Martinique")
    assert text is not None
    assert content.params.subsidy(content.params.territories["martinique"]).uncertain
    assert "à confirmer" in text


def private_request(content: Content, *, overseas: bool) -> QuickRequest:
    """Two posts in a private structure, overseas or in métropole (the answer, not parse)."""
    territories = tuple(t for t in content.params.territories.values()
                        if t.overseas == overseas)
    return QuickRequest(posts=2, territories=territories, overseas=overseas, private=True,
                        posts_given=True, structure="prive")


def test_private_amount_is_not_labelled_with_a_territory(content: Content) -> None:
    params = content.params
    text = answer(private_request(content, overseas=True), params)
    assert f"2 × {formatting.euros(params['subvention_prive_v1'].value)}" in text
    for territory in params.territories.values():
        assert f"{territory.name} :" not in text, territory.name
        assert f"{territory.name}, " not in text, territory.name


def test_private_basis_is_the_private_ami_not_the_2020_one(content: Content) -> None:
    text = answer(private_request(content, overseas=False), content.params)
    assert "AMI 2020" not in text
    assert f"AMI des structures privées du {content.params['date_ami_prive'].format()}" in text


def test_not_an_amount_question(content: Content) -> None:
    for question in ("combien gagne un maire", "subvention pour un city stade",
                     "combien de temps pour signer le contrat", "qui peut candidater",
                     "combien de conseillers en Guadeloupe"):
        assert ask(content, question) is None, question


def test_absurd_number_of_posts_gets_a_polite_answer(content: Content) -> None:
    text = ask(content, "combien pour 999999 postes")
    assert text is not None
    assert "indiquez un nombre de postes entre 1 et" in text


@pytest.mark.parametrize("question", [
    "combien pour un poste de policier municipal",
    "subvention france renov pour 2 logements",
    "combien pour 2 postes pour la piscine",
    "combien pour 3 postes et 2 en guadeloupe",
    "aide de l'etat pour 2 postes en guyane au renouvellement",
    "combien pour 2 postes en qpv",
    "combien pour une asso et une commune avec 2 postes",
    "combien pour 2 postes en outre mer a la reunion",
    "combien pour 2 postes et 1 logement",
    # a number that is a place, a year or a code is no number of posts
    "Quelle imputation comptable pour la subvention CnFS en M57 ?",
    "la subvention des conseillers numeriques en 57 c'est combien",
    "combien de subvention pour un conseiller du 74",
    # people, requests and part time are no posts to compute
    "subvention cumulable avec l'agefiph si on recrute une personne handicapée",
    "commune de 800 personnes combien de subvention",
    "la mairie emploie 12 personnes, combien on toucherait ?",
    "combien de candidatures en Guyane ?",
    "combien de dossiers en Guadeloupe",
    "combien pour un conseiller a mi temps dans une asso",
    "combien pour 2 postes a temps partiel dans une association",
    # an unknown town: no list of communes says where it is; a prefecture that is also a
    # French word ("maçon") is not read as a town
    "notre commune à Trifouilly voudrait 2 conseillers, combien ?",
    "mairie de Mâcon, 2 postes, combien ?",
    "combien pour un maçon ?"])
def test_words_it_cannot_place_send_the_question_elsewhere(content: Content,
                                                           question: str) -> None:
    assert ask(content, question) is None


@pytest.mark.parametrize(("question", "posts", "territory"), [
    # "une demande" reads "1 demande": a known word, so no unknown thing counted
    ("Les élus ont voté une demande de quatre postes en Guyane, combien au total ?", 4,
     "guyane"),
    ("2 postes qu'on se partage entre 3 communes, ça fait combien ?", 2, "metropole"),
    # "d'une" reads "d 1": an elision, not a code like "M57"
    ("je suis DGS d'une communauté de communes, 3 postes, combien ?", 3, "metropole")])
def test_what_is_counted_beside_the_posts(content: Content, question: str, posts: int,
                                          territory: str) -> None:
    request = parse(normalize(question), content.params)
    assert request is not None
    assert (request.posts, [t.id for t in request.territories]) == (posts, [territory])


def test_private_structures_as_mairies_name_them(content: Content) -> None:
    # a "quartier" alone is no priority district; a "fédé" is private
    request = parse(normalize("notre asso de quartier voudrait 2 conseillers, ça fait "
                              "combien ?"), content.params)
    assert request is not None
    assert (request.posts, request.private, request.bonus) == (2, True, False)
    request = parse(normalize("une fédération d'associations, 4 postes, combien ?"),
                    content.params)
    assert request is not None and (request.posts, request.private) == (4, True)


def test_initial_years_and_spelled_out_priority_districts(content: Content) -> None:
    request = parse(normalize("on a recrute 2 conseillers en 2021 quel montant"),
                    content.params)
    assert request is not None and request.posts == 2
    request = parse(normalize("renouvellement 2 postes en quartier politique de la ville, "
                              "combien ?"), content.params)
    assert request is not None and request.bonus and request.renewal


@pytest.mark.parametrize("question", [
    "Nous sommes une fondation à Bordeaux et voudrions trois conseillers. Quel montant ?",
    "commune de Saint-Étienne, combien pour 3 postes ?"])
def test_a_prefecture_of_metropole_is_in_metropole(content: Content, question: str) -> None:
    request = parse(normalize(question), content.params)
    assert request is not None
    assert (request.posts, [t.id for t in request.territories]) == (3, ["metropole"])


def test_a_french_word_is_no_typo_of_a_place(content: Content) -> None:
    # "majoré" is one letter from "Maore" (Mayotte): a French word is never corrected
    request = parse(normalize("1 conseiller en Guadeloupe, combien, c'est majoré ?"),
                    content.params)
    assert request is not None
    assert [t.id for t in request.territories] == ["guadeloupe"]


def test_a_structure_named_beside_its_territory_is_computed_there(content: Content) -> None:
    # "Saint-Pierre" alone is a commune (La Réunion, Martinique, métropole), not Miquelon
    request = parse(normalize("CCAS de Saint-Pierre (La Réunion), un poste. Combien on va "
                              "recevoir ?"), content.params)
    assert request is not None
    assert ([t.id for t in request.territories], request.posts) == (["reunion"], 1)
    assert ask(content, "CCAS de Saint-Pierre, un poste. Combien on va recevoir ?") is None


def test_another_job_or_programme_beside_our_words_is_no_computation(content: Content) -> None:
    for question in ("combien pour trois conseillers France Renov",
                     "combien pour 2 conseillers numériques et un policier municipal"):
        assert quick.read(question, content.params, content.matcher.scope) is None, question
    for question in ("combien pour trois conseillers numériques",
                     "je suis secrétaire de mairie, combien pour 2 postes ?"):
        assert quick.read(question, content.params, content.matcher.scope) is not None


@pytest.mark.parametrize("question", [
    "pour 2 cnfs en metropole et 1 en martinique ca fait combien",
    "combien pour 3 conseillers : 2 en métropole et un en Martinique"])
def test_each_place_with_its_own_number_of_posts(content: Content, question: str) -> None:
    params = content.params
    metropole = params["subvention_public_metropole"].value
    martinique = params.subsidy(params.territories["martinique"]).value
    text = ask(content, question)
    assert text is not None
    assert f"Métropole : 2 × {formatting.euros(metropole)}" in text
    assert f"Martinique : 1 × {formatting.euros(martinique)}" in text
    assert f"Total : <b>{formatting.euros(2 * metropole + martinique)}</b>" in text


def test_places_whose_numbers_do_not_add_up_are_not_computed(content: Content) -> None:
    for question in ("combien pour 3 conseillers : 2 en guyane et 2 a mayotte",
                     "combien pour 2 postes en Guyane, 1 en Martinique et en Mayotte",
                     "combien pour 2 postes en guyane et 1"):
        assert ask(content, question) is None, question


@pytest.mark.parametrize(("question", "per_post", "posts"), [
    ("combien pour une asso 3 postes", "subvention_prive_v1", 3),
    ("deux médiateurs en guyane combien", "guyane", 2),
    ("combien touche une commune martiniquaise pour deux conseillers", "martinique", 2),
    ("combien pour 7 conseillers dans le Cantal", "metropole", 7),
    ("guyanne 2 psotes combien", "guyane", 2),
    ("ici a Wallis on en voudrait deux, c'est combien ?", "wallis_et_futuna", 2),
])
def test_amounts_asked_in_mairie_words(content: Content, question: str, per_post: str,
                                       posts: int) -> None:
    params = content.params
    amount = params[per_post].value if per_post in params else \
        params.subsidy(params.territories[per_post]).value
    text = ask(content, question)
    assert text is not None and formatting.euros(posts * amount) in text


def test_renewal_is_computed_with_the_renewal_amounts(content: Content) -> None:
    params = content.params
    text = ask(content, "combien pour 4 postes au renouvellement en zrr")
    assert text is not None
    assert formatting.euros(4 * params["v2_public_total_qpv_zrr"].value) in text
    first_year = params["v2_public_annee1"].value + params["v2_bonus_qpv_zrr_annee1"].value
    assert f"1re année : {formatting.euros(4 * first_year)}" in text
    plain = ask(content, "renouvellement 3 postes montant total")
    assert plain is not None
    assert formatting.euros(3 * params["v2_public_total"].value) in plain
    assert "1re année" in plain and "renouvellement" in plain


def test_vague_amount_questions_are_not_computed(content: Content) -> None:
    for question in ("le prefet donne combien en martinique",
                     "fin du financement 2027 combien",
                     "combien pour 3 postes et 2 en guadeloupe"):
        assert ask(content, question) is None, question
