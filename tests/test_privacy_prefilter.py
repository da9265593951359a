"""The masker's prefilter: the recognisers a text cannot trigger are not asked, and a text that can trigger none
skips the analyser, with the same findings as the whole analyser on every text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guidebot.config import Settings
from guidebot.evals.golden import load_golden
from guidebot.privacy import PresidioMasker, load_masker
from guidebot.privacy.kinds import EMAIL, IBAN, LANGUAGE, NATIONAL_NUMBER, PERSON, PHONE
from guidebot.privacy.masking import MIN_SCORE, Finding, without_overlaps
from guidebot.privacy.recognizers import possible_kinds

ROOT = Path(__file__).resolve().parents[1]
# near misses of each recogniser's condition, and texts that hold each kind
TEXTS = [
    "Mon numéro national est 85.07.30-033.28, et mon IBAN BE68 5390 0754 7034 ?",
    "Mijn rijksregisternummer is 8507300332 (tien cijfers)",
    "Call me on +32 475 12 34 56 or 0475/12.34.5",
    "Bel 02 542 10 00",
    "écrivez à jan.peeters@telenet.be",
    "un @ seul, ou @smart sans domaine",
    "Ik ben Jan Peeters, mijn factuur is niet betaald",
    "je m'appelle marie dubois",
    "Est-ce que Sandrine Lefèvre peut m'aider ?",
    "IBAN NL91ABNA0417164300 ou be68539007547034",
    "BE12 ou FR76 sont des débuts d'IBAN, pas des IBAN",
    "En 2023, Smart comptait 37 670 membres associés.",
    "Le montant : ١٢٣٤٥٦٧٨٩٠١ en chiffres arabes orientaux",
    "   ",
]


@pytest.fixture(scope="module")
def masker() -> PresidioMasker:
    masker = load_masker(Settings())
    assert isinstance(masker, PresidioMasker)
    return masker


def _whole_analyser(masker: PresidioMasker, text: str) -> list[Finding]:
    """What the masker found before the prefilter: every recogniser on every text."""
    if not text.strip():
        return []
    results: Any = masker._analyzer.analyze(text=text, language=LANGUAGE, score_threshold=MIN_SCORE)
    return without_overlaps([Finding(x.entity_type, x.start, x.end) for x in results])


def test_the_prefilter_finds_what_the_whole_analyser_finds(masker: PresidioMasker) -> None:
    questions = [c.question for c in load_golden(ROOT / "evals" / "golden")]
    texts = [*TEXTS, *dict.fromkeys(questions)]
    found_kinds = set()
    for text in texts:
        want = _whole_analyser(masker, text)
        assert masker.findings(text) == want, text
        assert {f.kind for f in want} <= set(possible_kinds(text, names=True)), text
        found_kinds |= {f.kind for f in want}
    assert found_kinds == {NATIONAL_NUMBER, IBAN, EMAIL, PHONE, PERSON}


def test_most_questions_skip_the_analyser(masker: PresidioMasker, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    analyze = masker._analyzer.analyze

    def spy(**kw: Any) -> Any:
        asked.append(kw["text"])
        return analyze(**kw)

    monkeypatch.setattr(masker._analyzer, "analyze", spy)
    assert masker.mask("Combien coûte une part de Smart ?") == "Combien coûte une part de Smart ?"
    assert masker.mask("En 2023, la part valait 30 €.") == "En 2023, la part valait 30 €."
    assert asked == []
    assert masker.mask("Appelez-moi au 0475 12 34 56") == "Appelez-moi au [téléphone]"
    assert asked == ["Appelez-moi au 0475 12 34 56"]


def test_possible_kinds() -> None:
    assert possible_kinds("Combien coûte une part ?", names=True) == []
    assert possible_kinds("Appelez le 02 542 10 00", names=True) == [PHONE]
    assert possible_kinds("85073003328", names=True) == [NATIONAL_NUMBER, PHONE]
    assert possible_kinds("a@b.be", names=True) == [EMAIL]
    assert possible_kinds("Est-ce que Sandrine peut m'aider ?", names=True) == [PERSON]
    assert possible_kinds("Est-ce que Sandrine peut m'aider ?", names=False) == []
    assert possible_kinds("je m'appelle marie", names=False) == [PERSON]
    assert IBAN in possible_kinds("be68539007547034", names=False)
