"""Presidio recognisers for what Belgian members type: the national register number (with its check digits),
IBANs (mod-97), Belgian and international phone numbers, e-mail addresses, and person names.

Every recogniser is registered for the analyser's one pipeline language ("fr"): Presidio picks recognisers and
the spaCy model by language, and a single French model serves fr, nl and en text (names are capitalised words
in all three; the filters below drop what the French model mistakes for a name in Dutch or English).
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
import tldextract
from presidio_analyzer import EntityRecognizer, LocalRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IbanRecognizer
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP_WORDS
from spacy.lang.nl.stop_words import STOP_WORDS as NL_STOP_WORDS

from guidebot.privacy.kinds import EMAIL, IBAN, LANGUAGE, NATIONAL_NUMBER, PERSON, PHONE


def national_number_valid(digits: str) -> bool:
    """The check of a Belgian national register (or BIS) number: its last two digits are 97 minus the first
    nine modulo 97, with a 2 put in front of them for people born from 2000 on."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    # BIS numbers add 20 or 40 to the month; 0 stands for a birth date not known
    if month % 20 > 12 or day > 31:
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)


def _result(kind: str, start: int, end: int, score: float, recognizer: Any) -> RecognizerResult:
    metadata = {
        RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.label,
        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
    }
    return RecognizerResult(kind, start, end, score, recognition_metadata=metadata)


class NationalNumberRecognizer(PatternRecognizer):
    """YY.MM.DD-XXX.CC and the ways members write it: with dots, dashes, spaces or none."""

    PATTERNS = [
        Pattern("BE national number", r"(?<![\w.])\d{2}[. ]?\d{2}[. ]?\d{2}[-. ]?\d{3}[-. ]?\d{2}(?![\w])", 0.5)
    ]
    CONTEXT = ["registre", "national", "rijksregister", "rijksregisternummer", "register", "niss", "insz", "nn"]

    def __init__(self) -> None:
        super().__init__(
            supported_entity=NATIONAL_NUMBER,
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            supported_language=LANGUAGE,
            name="BelgianNationalNumber",
        )

    def validate_result(self, pattern_text: str) -> bool:
        return national_number_valid(re.sub(r"\D", "", pattern_text))


class CaseInsensitiveIbanRecognizer(IbanRecognizer):
    """Presidio's IBAN check (the country's format and mod-97), on IBANs as members type them: in groups of four
    or not, in lower case, and followed by a word of four letters that Presidio's pattern takes for one more
    group ("BE68 5390 0754 7034 goed" fails its check as a whole): the groups are dropped from the end until
    the check passes."""

    _CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{1,4}){2,8}\b", re.IGNORECASE)
    _GROUP = re.compile(r"[ -]?[A-Z0-9]{1,4}", re.IGNORECASE)
    SHORTEST = 15  # Norway's IBAN, the shortest

    def __init__(self) -> None:
        self.label = "Iban"
        super().__init__(supported_language=LANGUAGE, name=self.label)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None, regex_flags: int | None = None
    ) -> list[Any]:
        found = []
        for match in self._CANDIDATE.finditer(text):
            ends = [match.start() + 4 + g.end() for g in self._GROUP.finditer(match.group()[4:])]
            for end in reversed(ends):
                candidate = text[match.start() : end]
                if len(re.sub(r"[ -]", "", candidate)) < self.SHORTEST:
                    break
                if super().validate_result(candidate.upper()):
                    found.append(_result(IBAN, match.start(), end, 1.0, self))
                    break
        return found


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern, with the domain checked against tldextract's bundled suffix list: the stock
    recogniser fetches the public-suffix list over the network on first use."""

    _domains = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    def __init__(self) -> None:
        super().__init__(supported_language=LANGUAGE, context=["email", "e-mail", "mail", "courriel"], name="Email")

    def validate_result(self, pattern_text: str) -> bool:
        return self._domains(pattern_text).fqdn != ""


class BelgianPhoneRecognizer(LocalRecognizer):
    """Phone numbers as python-phonenumbers reads them: Belgian ones written nationally (02 542 10 00,
    0475/12.34.56) and any country's written with + or 00. Fewer than 8 digits is a year, a count or a price."""

    SCORE = 0.6
    MIN_DIGITS = 8

    def __init__(self) -> None:
        self.label = "Phone"
        super().__init__(supported_entities=[PHONE], supported_language=LANGUAGE, name=self.label)

    def load(self) -> None:
        """Nothing to load: phonenumbers carries its metadata."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[Any]:
        found = []
        for match in phonenumbers.PhoneNumberMatcher(text, "BE", leniency=phonenumbers.Leniency.VALID):
            if sum(ch.isdigit() for ch in match.raw_string) < self.MIN_DIGITS:
                continue
            found.append(_result(PHONE, match.start, match.end, self.SCORE, self))
        return found


# Words the French model takes for names in questions, and the function words of the three languages it tags
# inside a name ("Ik ben Jan Peeters"): a name is what is left of the entity once they are cut off.
NOT_NAMES = frozenset(
    {w.lower() for w in FR_STOP_WORDS | NL_STOP_WORDS | EN_STOP_WORDS}
    | set(
        """
        smart smartcoop activité activite 3en1 bruxelles brussel belgique belgië belgie wallonie vlaanderen europe
        onem rva inasti rsvz sfp fod spf onss rsz cpas ocmw forem actiris vdab adg inami riziv
        bonjour merci salut madame monsieur mme mr mevrouw meneer hallo goedendag bedankt hello hi dear thanks
        nederland frankrijk france luxembourg luxemburg duitsland allemagne deutschland germany belgium
        j'ai j’ai i've i'm heb
        """.split()
    )
)

# "je m'appelle X", "ik heet X", "my name is X": the words after such a cue are a name, capitalised or not
_NAME_CUE = re.compile(
    r"\b(?:je\s+m['’]appelle|mon\s+nom\s+(?:est|c['’]est)|ik\s+heet|mijn\s+naam\s+is|my\s+name\s+is|"
    r"i\s+am\s+called)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PARTICLES = frozenset({"van", "de", "der", "den", "du", "le", "la", "von", "d'", "d’"})
_NAME_WORDS_AFTER_CUE = 4


def _after_cue(text: str, start: int) -> tuple[int, int] | None:
    """The name that follows a cue at ``start``: up to four words, stopping at punctuation or a function word."""
    end = start
    for count, word in enumerate(_WORD.finditer(text, start)):
        gap = text[end : word.start()]
        if count >= _NAME_WORDS_AFTER_CUE or (count and gap.strip()) or word.group().lower() in NOT_NAMES:
            break
        if count == 0 and gap.strip():
            return None
        end = word.end()
    if end == start or text[start:end].lower() in _PARTICLES:
        return None
    return start, end


_POSSESSIVE = re.compile(r"['’]s$")


def _is_name_word(word: str) -> bool:
    bare = _POSSESSIVE.sub("", word).lower()
    return word[:1].isupper() and bare not in NOT_NAMES and not bare.startswith("smart")


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in '.?!:;"«“(\n'


def may_hold_name(text: str) -> bool:
    """Could the model find a name here that the filters keep? Only if a name word stands somewhere other than
    at the start of a sentence (a kept name is two words, or one inside a sentence). Most questions have none,
    and skip the model (about 5 ms each)."""
    return any(_is_name_word(w.group()) and not _starts_sentence(text, w.start()) for w in _WORD.finditer(text))


class PersonNameRecognizer(LocalRecognizer):
    """Person names: the spaCy model's PER entities, trimmed to their capitalised words that are neither a
    function word nor a word of Smart's own vocabulary; and a capitalised name after "je m'appelle"."""

    SCORE = 0.85

    def __init__(self, *, use_model: bool) -> None:
        self.use_model = use_model
        self.label = "PersonName"
        super().__init__(supported_entities=[PERSON], supported_language=LANGUAGE, name=self.label)

    def load(self) -> None:
        """The model is loaded by the analyser's NLP engine."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[Any]:
        spans: list[tuple[int, int]] = []
        for cue in _NAME_CUE.finditer(text):
            span = _after_cue(text, cue.end())
            if span:
                spans.append(span)
        if self.use_model and nlp_artifacts is not None:
            for ent in nlp_artifacts.entities:
                if ent.label_ != "PER":
                    continue
                # one capitalised word opening a sentence is too often a verb or question word the French model
                # misreads in Dutch or English ("Hoeveel", "Forget"); a name there needs two words
                spans.extend(
                    (s, e)
                    for s, e in _name_runs(text, ent.start_char, ent.end_char)
                    if not (_starts_sentence(text, s) and _WORD.fullmatch(text[s:e]))
                )
        results = [_result(PERSON, start, end, self.SCORE, self) for start, end in spans]
        deduped: list[Any] = EntityRecognizer.remove_duplicates(results)
        return deduped


def _name_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of name words inside text[start:end], as character spans ("Jan van Damme" stays one run)."""
    runs: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    for word in _WORD.finditer(text, start, end):
        if _is_name_word(word.group()):
            run = (run[0], word.end()) if run else (word.start(), word.end())
        elif run and word.group().lower() in _PARTICLES and text[run[1] : word.start()].isspace():
            continue  # kept only if a name word follows: the run's end does not move
        elif run:
            runs.append(run)
            run = None
    if run:
        runs.append(run)
    return runs


NATIONAL_NUMBER_DIGITS = 11


def possible_kinds(text: str, *, names: bool) -> list[str]:
    """The kinds of personal data the recognisers above could find in ``text``, each by a condition it cannot
    find one without and that costs far less than the recogniser: 11 digits for a national number, 8 for a phone
    number, an "@" for an e-mail address, the IBAN recogniser's own candidate pattern, and for a name a cue or
    (with the model) a word ``may_hold_name`` keeps. Most questions have none, and skip the analyser (its
    patterns and the tokeniser took 1.4 ms of CPU a question)."""
    digits = sum(ch.isdigit() for ch in text)
    kinds = []
    if digits >= NATIONAL_NUMBER_DIGITS:
        kinds.append(NATIONAL_NUMBER)
    if CaseInsensitiveIbanRecognizer._CANDIDATE.search(text):
        kinds.append(IBAN)
    if "@" in text:
        kinds.append(EMAIL)
    if digits >= BelgianPhoneRecognizer.MIN_DIGITS:
        kinds.append(PHONE)
    if _NAME_CUE.search(text) or (names and may_hold_name(text)):
        kinds.append(PERSON)
    return kinds
