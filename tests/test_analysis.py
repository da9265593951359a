"""The evidence pass: question analysis, typed spans, the unit ranker's artifact, the member-facing metrics."""

from __future__ import annotations

import json

import numpy as np
import pytest

from guidebot.answer.analysis import (
    TermWeights,
    analyse_question,
    answer_type,
    build_evidence,
    carries_type,
    is_cross_reference,
    is_hedge,
    typed_spans,
)
from guidebot.answer.citations import check_citations
from guidebot.answer.gate_model import GATE_FEATURES, GATE_PATH, SCOPE_PATH, GateModel
from guidebot.answer.ranker import FEATURES, UNIT_RANKER_PATH, LearnedRanker, unit_features
from guidebot.documents import Chunk
from guidebot.evals.metrics import first_paragraph, has_repeat, speaks_language, word_count
from guidebot.retrieval.search import Passage


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("En quelle année Smart a-t-elle été fondée ?", "year"),
        ("Since when is becoming a shareholder required?", "year"),
        ("Dans quel délai mon salaire est-il versé ?", "duration"),
        ("Hoelang is het kunstwerkattest geldig?", "duration"),
        ("Combien coûte une part ?", "amount"),
        ("How much is the daily amateur arts allowance?", "amount"),
        ("Quel est le pourcentage de la contribution ?", "percentage"),
        ("Combien de sociétaires compte Smart ?", "count"),
        ("Hoeveel vennoten heeft Smart?", "count"),
        ("Qui envoie la facture au client ?", "person"),
        ("Où se trouvent les bureaux de Smart ?", "place"),
        ("Pourquoi la plupart des factures restent impayées ?", "reason"),
        ("Comment facturer un client avec l'outil Activité ?", "procedure"),
        ("How do I invoice with the Activité tool?", "procedure"),
        ("C'est quoi l'entreprise partagée ?", "definition"),
        ("Dois-je devenir sociétaire ?", "yes_no"),
        ("Can I leave the cooperative?", "yes_no"),
        ("Moet ik vennoot worden?", "yes_no"),
        ("à l'AG de Smart le vote est pondéré par collèges ?", "yes_no"),
        ("C'est quoi le numéro de téléphone du service clients ?", "contact"),
        ("Wat zijn de openingsuren van het kantoor in Gent?", "contact"),
        ("How do I issue a credit note for an invoice with a wrong amount?", "procedure"),
        ("c'est quoi le plafond absolu des droits d'auteur pour 2025 ?", "amount"),
        ("mes droits d'auteur sont taxés à combien ?", "percentage"),
    ],
)
def test_answer_types(question: str, expected: str) -> None:
    assert answer_type(question) == expected


def test_typed_spans() -> None:
    assert typed_spans("Une part coûte 30 € depuis le 1er mars 2017.") >= {"amount", "date", "year"}
    assert "percentage" in typed_spans("La contribution est de 6,5 % du montant hors TVA.")
    assert "duration" in typed_spans("Le salaire est versé sous sept jours ouvrables.")
    assert "count" in typed_spans("Smart compte 37.670 sociétaires.")
    assert "count" not in typed_spans("En 2023, la part valait 30 €.")  # a year and an amount are not counts
    assert "place" in typed_spans("Un bureau se trouve à Liège.")
    assert "contact" in typed_spans("Appelez le 02 542 10 60, de 9h à 17h.")
    assert "contact" not in typed_spans("Le salaire est versé sous sept jours.")
    assert carries_type(typed_spans("sous sept jours ouvrables"), "duration") is True
    assert carries_type(typed_spans("sans montant"), "amount") is False
    assert carries_type(typed_spans("n'importe quoi"), "procedure") is None


def test_unit_flags() -> None:
    assert is_cross_reference("Voir « Quand mon salaire est-il versé ? ».")
    # a sentence that only sends the reader elsewhere, however it opens
    assert is_cross_reference("Pour une comparaison plus complète, consultez l'article « Outil 3en1 ou Activité ? ».")
    assert is_cross_reference("Le montant journalier maximal est traité dans l'article « Combien par jour en IAA ? ».")
    assert is_cross_reference("Les conditions d'accès au 1bis sont expliquées dans la rubrique sur la réforme.")
    assert is_cross_reference("De voorwaarden worden uitgelegd in het artikel over de hervorming.")
    # a fact that mentions another article is still a fact
    assert not is_cross_reference("La part maximale (50 %, 40 % puis 30 %) est une autre limite, vue dans un article.")
    assert is_hedge("D'après des sources de 2022, le délai était de sept jours.")
    assert is_hedge("Ce parcours est décrit par un article de 2022 : les détails peuvent avoir changé depuis.")
    assert not is_hedge("Le salaire est versé sous sept jours ouvrables.")
    # a fact with its source is a fact, not a caveat
    assert not is_hedge("Selon la FAQ de Smart (version 2017), l'assemblée générale vote « une personne, une voix ».")


def _passage(text: str, lang: str = "fr", n: int = 0) -> Passage:
    chunk = Chunk(
        id=f"doc#{n}",
        doc_id="doc",
        n=n,
        text=text,
        section="Prix d'une part",
        title="Titre",
        url="https://example.org",
        source="guide",
        lang=lang,
        updated="2026-11-29",
        tokens=10,
    )
    return Passage(chunk, 0.03, 0.9, 1, 5.0, 1, (0.85, 0.80, 0.70))


def test_evidence_is_built_once_with_units_tokens_and_spans() -> None:
    p = _passage("Une part coûte 30 €. Elle est remboursée au départ. Voir « Quitter ».")
    asked = analyse_question(
        "Combien coûte une part ?", "Combien coûte une part ?", "Combien coûte une part ?", "fr", "fr"
    )
    vectors = np.eye(3, dtype=np.float32)
    ev = build_evidence(asked, [p], {p.chunk.id: vectors})
    assert [u.unit.text for u in ev.units] == [
        "Une part coûte 30 €.",
        "Elle est remboursée au départ.",
        "Voir « Quitter ».",
    ]
    assert ev.units[0].sim == 0.85 and "amount" in ev.units[0].spans and ev.units[2].cross_reference
    assert ev.units[1].anaphor and ev.units[1].vector is not None
    assert asked.answer_type == "amount" and "part" in asked.terms
    x = unit_features(ev, TermWeights([p.chunk]))
    assert x.shape == (3, len(FEATURES))
    assert x[0, FEATURES.index("type_match")] == 1.0 and x[1, FEATURES.index("type_match")] == 0.0


def test_shipped_artifacts_load_and_name_their_features() -> None:
    ranker = LearnedRanker.load(UNIT_RANKER_PATH)
    # the train questions it learns from: those whose pool holds a unit with every fact
    assert len(ranker.coef) == len(FEATURES) and ranker.meta["questions"] >= 250
    gate = GateModel.load(GATE_PATH)
    assert len(gate.coef) == len(GATE_FEATURES) and 0.0 < gate.threshold < 1.0
    scope = json.loads(SCOPE_PATH.read_text(encoding="utf-8"))
    assert len(scope["in_scope"]) >= 300 and len(scope["out_of_scope"]) >= 150
    data = json.loads(UNIT_RANKER_PATH.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    bad = UNIT_RANKER_PATH.parent / "bad.json"
    try:
        bad.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(ValueError, match="guidebot train"):
            LearnedRanker.load(bad)
    finally:
        bad.unlink()


def test_citation_check_keeps_a_quoted_unit_whole() -> None:
    # the index's splitter does not cut after "art." or "M.": neither does the citation check
    p = _passage("Selon l'art. 1bis, M. Dupont est couvert par la loi.")
    checked = check_citations("Selon l'art. 1bis, M. Dupont est couvert par la loi. [1]", [p], "fr")
    assert checked.text == "Selon l'art. 1bis, M. Dupont est couvert par la loi. [1]" and not checked.dropped


def test_member_facing_metrics() -> None:
    answer = (
        "Le salaire est versé sous sept jours ouvrables. [1]\n\n"
        "- Smart paie dans les sept jours ouvrables, même si le client n'a pas payé. [2]\n"
        "- Une part coûte 30 €. [3]"
    )
    assert first_paragraph(answer) == "Le salaire est versé sous sept jours ouvrables. [1]"
    assert has_repeat(answer, "fr")  # "sept jours ouvrables" twice
    assert not has_repeat("Une part coûte 30 €. [1]\n\n- Le salaire est versé sous sept jours. [2]", "fr")
    rows = "Année: 2023; Plafond: 70 220 € [1]\n\n- Année: 2025; Plafond: 73 070 € [1]"
    assert not has_repeat(rows, "fr")  # two rows of one table share headers, not a fact
    # the question's own terms may recur ("allocation du travail des arts"): they name the topic
    topic = (
        "Il faut 156 jours pour l'allocation du travail des arts. [1]\n\n"
        "- L'allocation du travail des arts se demande à l'ONEM. [2]"
    )
    assert has_repeat(topic, "fr") and not has_repeat(topic, "fr", "Comment obtenir l'allocation du travail des arts ?")
    assert word_count(answer) == 26  # markers, bullets and symbols are not words
    framed = "Here is what Smart's guide says (the quoted text is in French): Une part coûte 30 €. [1]"
    assert speaks_language(framed, "en") and not speaks_language("Une part coûte 30 € pour chaque membre.", "en")


def test_a_quoted_run_of_sentences_keeps_its_antecedent() -> None:
    p = _passage("Smart verse le salaire sous sept jours. Cela vaut même si le client n'a pas payé.")
    text = "Smart verse le salaire sous sept jours. Cela vaut même si le client n'a pas payé. [1]"
    checked = check_citations(text, [p], "fr")
    assert checked.text == text and not checked.dropped
    # an unsupported sentence in the run is dropped alone; a sentence that no marker follows cites nothing
    mixed = check_citations(
        "La lune est en fromage bleu. Cela vaut même si le client n'a pas payé. [1] Fin.", [p], "fr"
    )
    assert mixed.text == "Cela vaut même si le client n'a pas payé. [1]"
    assert mixed.dropped == ["La lune est en fromage bleu.", "Fin."]
