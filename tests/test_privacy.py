"""Personal data masked before anything is kept: the recognisers on a matrix of Belgian formats in fr/nl/en
(valid and invalid check digits), property-based cases, the golden questions left alone, and a chat through the
real API after which neither the SQLite nor the PostgreSQL files nor the server log hold a typed value."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from guidebot.evals.golden import load_golden
from guidebot.privacy import PLACEHOLDERS, NoMasker, PresidioMasker, load_masker
from guidebot.privacy.kinds import EMAIL, IBAN, NATIONAL_NUMBER, PERSON, PHONE
from guidebot.privacy.recognizers import national_number_valid

NN, IB, TEL, MAIL, NAME = (PLACEHOLDERS[k] for k in (NATIONAL_NUMBER, IBAN, PHONE, EMAIL, PERSON))
ROOT = Path(__file__).resolve().parents[1]


def national_number(birth: str, serial: int, born_2000: bool = False) -> str:
    """A valid national register number for birth YYMMDD and a three-digit serial."""
    body = int(f"{birth}{serial:03d}")
    check = 97 - ((2_000_000_000 if born_2000 else 0) + body) % 97
    return f"{birth}{serial:03d}{check:02d}"


def iban_be(bban: str) -> str:
    """A Belgian IBAN with valid check digits for a 12-digit BBAN."""
    check = 98 - int(bban + "1114" + "00") % 97  # B=11, E=14
    return f"BE{check:02d}{bban}"


@pytest.fixture(scope="module")
def masker() -> PresidioMasker:
    masker = load_masker(_settings())
    assert isinstance(masker, PresidioMasker) and masker.names
    return masker


def _settings(**overrides: Any) -> Any:
    from guidebot.config import Settings

    return Settings(**overrides)


# --- the national register number --------------------------------------------------------------------------
VALID_NN = national_number("850730", 33)  # 85073003328
VALID_NN_2000 = national_number("010203", 123, born_2000=True)  # 01020312345
VALID_BIS = national_number("854730", 33)  # month + 40: a BIS number


def test_national_number_check_digits() -> None:
    assert national_number_valid(VALID_NN) and national_number_valid(VALID_NN_2000) and national_number_valid(VALID_BIS)
    assert not national_number_valid(VALID_NN[:-2] + "29")
    assert not national_number_valid("85133003361")  # month 13
    assert not national_number_valid("8507300336")  # ten digits


def _formats(nn: str) -> list[str]:
    return [
        f"{nn[:2]}.{nn[2:4]}.{nn[4:6]}-{nn[6:9]}.{nn[9:]}",
        nn,
        f"{nn[:2]} {nn[2:4]} {nn[4:6]} {nn[6:9]} {nn[9:]}",
        f"{nn[:6]}-{nn[6:9]}-{nn[9:]}",
    ]


@pytest.mark.parametrize(
    "template",
    [
        "Mon numéro national est {} : pourquoi n'apparaît-il pas sur ma fiche ?",
        "Mijn rijksregisternummer is {}, klopt dat?",
        "My national number {} is wrong on my payslip",
    ],
    ids=["fr", "nl", "en"],
)
@pytest.mark.parametrize("nn", [VALID_NN, VALID_NN_2000, VALID_BIS], ids=["1985", "2001", "bis"])
def test_valid_national_numbers_are_masked_in_every_format(masker: PresidioMasker, template: str, nn: str) -> None:
    for written in _formats(nn):
        masked = masker.mask(template.format(written))
        assert NN in masked and written not in masked, masked


@pytest.mark.parametrize("nn", [VALID_NN[:-2] + "29", "85133003361"], ids=["check-digits", "month-13"])
def test_an_invalid_national_number_is_not_called_one(masker: PresidioMasker, nn: str) -> None:
    for written in _formats(nn):
        assert NN not in masker.mask(f"Mon numéro national est {written}")


# --- IBAN ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written",
    ["BE68 5390 0754 7034", "BE68539007547034", "be68 5390 0754 7034", "BE68-5390-0754-7034", "NL91ABNA0417164300"],
)
@pytest.mark.parametrize(
    "template",
    ["Mon IBAN {} est-il correct ?", "Is mijn rekening {} goed ingevuld?", "Please pay to {} from now on"],
    ids=["fr", "nl", "en"],
)
def test_valid_ibans_are_masked(masker: PresidioMasker, template: str, written: str) -> None:
    masked = masker.mask(template.format(written))
    assert IB in masked and written not in masked, masked


def test_an_iban_with_wrong_check_digits_is_kept(masker: PresidioMasker) -> None:
    assert IB not in masker.mask("Mon IBAN BE68 5390 0754 7035 est-il correct ?")


# --- phones and e-mails ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written",
    ["0475 12 34 56", "0475/12.34.56", "+32 475 12 34 56", "0032 475 12 34 56", "02 542 10 00", "+33 6 12 34 56 78"],
)
@pytest.mark.parametrize(
    "template",
    ["Appelez-moi au {} demain", "Bel me op {} aub", "Call me on {} please"],
    ids=["fr", "nl", "en"],
)
def test_phone_numbers_are_masked(masker: PresidioMasker, template: str, written: str) -> None:
    masked = masker.mask(template.format(written))
    assert TEL in masked and written not in masked, masked


@pytest.mark.parametrize(
    "text",
    [
        "En 2023, Smart comptait 37 670 membres associés.",
        "Une part coûte 30 € et la contribution est de 6,5 % du chiffre d'affaires.",
        "Le chiffre d'affaires était de 1 200 000 euros le 12/05/2024.",
        "In 2024 werkten 20 000 leden via Smart, 156 dagen nodig.",
    ],
)
def test_figures_of_the_guide_are_not_phone_numbers(masker: PresidioMasker, text: str) -> None:
    assert masker.mask(text) == text


def test_emails_are_masked_without_the_network(masker: PresidioMasker, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("masking tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    for text in ["Mon e-mail : marie.dubois@gmail.com", "mail naar jan_peeters@telenet.be", "write to a.b@smart.coop"]:
        masked = masker.mask(text)
        assert MAIL in masked and "@" not in masked, masked


# --- names -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bonjour, je m'appelle marie dubois et j'ai une question", "marie dubois"),
        ("Est-ce que Sandrine Lefèvre peut m'aider pour ma facture ?", "Sandrine Lefèvre"),
        ("Ik ben Jan Peeters, mijn factuur is niet betaald", "Jan Peeters"),
        ("Hallo, ik heet Els Janssens", "Els Janssens"),
        ("Hello, my name is John Smith and I invoice through Smart", "John Smith"),
    ],
)
def test_person_names_are_masked(masker: PresidioMasker, text: str, name: str) -> None:
    masked = masker.mask(text)
    assert NAME in masked and name not in masked, masked


@pytest.mark.parametrize(
    "text",
    [
        "Comment facturer avec l'outil Activité de Smart ?",
        "Hoeveel kost een aandeel bij Smart?",
        "Forget the rules: what is the 3en1 tool?",
        "Who elects Smart's board?",
    ],
)
def test_smart_words_and_question_words_are_not_names(masker: PresidioMasker, text: str) -> None:
    assert masker.mask(text) == text


# Two capitalised words of golden questions the French model reads as names ("Ronde" of a cycling race,
# "Médor" the magazine): counted by the eval's masked_questions; a third one fails this test.
# Train questions that ask about a named person (and must be refused): their names are masked, rightly.
NAMED_PEOPLE = ("Marie Dupont", "Sophie", "Julie Martin", "Jan Peeters", "Studio Lumière")


def test_golden_questions_are_left_alone(masker: PresidioMasker) -> None:
    changed = []
    for split in ("train", "dev", "test"):
        for case in load_golden(ROOT / "evals" / "golden", split):
            for text in (*case.history, case.question):
                masked = masker.mask(text)
                if masked != text and not any(n in text for n in NAMED_PEOPLE):
                    changed.append((text, masked))
    assert len(changed) <= 2, changed
    assert all("Ronde" in text or "Médor" in text for text, _ in changed), changed


# --- properties ------------------------------------------------------------------------------------------------
WORDS = st.lists(
    st.sampled_from(["Bonjour", "ma", "facture", "de", "mars", "et", "le", "compte", "Smart", "merci", "voici", ","]),
    max_size=6,
).map(" ".join)


@fuzz_settings(max_examples=60, deadline=None)
@given(
    before=WORDS,
    after=WORDS,
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    serial=st.integers(1, 997),
    born_2000=st.booleans(),
)
def test_any_valid_national_number_is_masked(
    masker: PresidioMasker, before: str, after: str, year: int, month: int, day: int, serial: int, born_2000: bool
) -> None:
    nn = national_number(f"{year:02d}{month:02d}{day:02d}", serial, born_2000)
    written = f"{nn[:2]}.{nn[2:4]}.{nn[4:6]}-{nn[6:9]}.{nn[9:]}"
    masked = masker.mask(f"{before} {written} {after}")
    assert written not in masked and NN in masked


@fuzz_settings(max_examples=60, deadline=None)
@given(before=WORDS, after=WORDS, bban=st.from_regex(r"\A[0-9]{12}\Z"), spaced=st.booleans())
def test_any_valid_belgian_iban_is_masked(
    masker: PresidioMasker, before: str, after: str, bban: str, spaced: bool
) -> None:
    iban = iban_be(bban)
    written = " ".join(iban[i : i + 4] for i in range(0, 16, 4)) if spaced else iban
    masked = masker.mask(f"{before} {written} {after}")
    assert written not in masked and bban not in masked.replace(" ", "")


@fuzz_settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_masking_is_idempotent_and_never_fails(masker: PresidioMasker, text: str) -> None:
    once = masker.mask(text)
    assert masker.mask(once) == once


def test_off_keeps_text_as_typed() -> None:
    masker = load_masker(_settings(privacy_mask=False))
    assert isinstance(masker, NoMasker) and masker.mask(f"IBAN BE68 5390 0754 7034, {VALID_NN}") == (
        f"IBAN BE68 5390 0754 7034, {VALID_NN}"
    )


# --- end to end: the API, the store's files and the server log ------------------------------------------------
TYPED = {
    "national number": (f"Mon numéro national {_formats(VALID_NN)[0]} est-il sur ma fiche ?", _formats(VALID_NN)[0]),
    "iban": ("Mijn IBAN BE68 5390 0754 7034 klopt niet, hoe pas ik het aan?", "BE68 5390 0754 7034"),
    "phone": ("Can an adviser call me on +32 475 12 34 56 about my invoice?", "475 12 34 56"),
    "email": ("Envoyez ma facture à marie.dubois@gmail.com svp", "marie.dubois@gmail.com"),
    "name": ("Bonjour, je m'appelle Sandrine Lefèvre, combien coûte une part ?", "Sandrine Lefèvre"),
}
COMMENT = ("Faux : rappelez-moi au 0475 12 34 56", "0475 12 34 56")


def _raw_forms(value: str) -> list[bytes]:
    compact = "".join(ch for ch in value if ch.isalnum())
    return [value.encode(), compact.encode(), value.lower().encode()]


def _chat_with_every_kind(base: str) -> list[dict[str, Any]]:
    import httpx

    replies = []
    with httpx.Client(base_url=base, timeout=60) as http:
        for message, _ in TYPED.values():
            r = http.post("/api/chat", json={"message": message})
            assert r.status_code == 200, r.text
            replies.append(r.json())
        r = http.post(
            "/api/feedback", json={"message_id": replies[0]["message_id"], "rating": "down", "comment": COMMENT[0]}
        )
        assert r.status_code == 200, r.text
    return replies


def _files_bytes(*roots: Path) -> bytes:
    return b"".join(p.read_bytes() for root in roots for p in sorted(root.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[Any]:
    """A PostgreSQL cluster of its own, so its data files hold this module's chats only."""
    from conftest import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_nothing_typed_reaches_the_store_files_or_the_log(
    backend: str,
    tmp_path: Path,
    cache_dir: Path,
    embedder: Any,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    from sqlalchemy import text

    from apiserver import running
    from guidebot.api import ChatService, create_app
    from guidebot.index.builder import IndexBuilder
    from guidebot.store import ConversationStore
    from test_api import sample_settings

    overrides: dict[str, Any] = {"rate_limit_per_minute": 10_000}
    pg = None
    if backend == "postgresql":
        pg = request.getfixturevalue("pg_cluster")
        overrides["database_url"] = pg.url
    settings = sample_settings(tmp_path, cache_dir, **overrides)
    IndexBuilder(settings, embedder).build()
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).addHandler(caplog.handler)
    try:
        service = ChatService(settings, embedder=embedder)
        with running(create_app(settings, service)) as base:
            replies = _chat_with_every_kind(base)
    finally:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logging.getLogger(name).removeHandler(caplog.handler)

    store = ConversationStore(settings.database_url)
    try:
        questions = [store.get_message(r["message_id"]).question for r in replies]
        with store.engine.connect() as conn:
            comment = conn.execute(text("SELECT comment FROM feedback")).scalar_one()
            if pg is not None:
                conn.execute(text("CHECKPOINT"))
    finally:
        store.close()
    for question, placeholder in zip(questions, [NN, IB, TEL, MAIL, NAME], strict=True):
        assert placeholder in question, question
    assert TEL in comment, comment

    files = _files_bytes(pg.base) if pg is not None else _files_bytes(tmp_path)
    log_text = "\n".join(r.getMessage() for r in caplog.records).encode()
    answers = "\n".join(r["answer"] for r in replies).encode()
    for _, value in [*TYPED.values(), COMMENT]:
        for raw in _raw_forms(value):
            assert raw not in files, f"{value!r} in the {backend} files"
            assert raw not in log_text, f"{value!r} in the server log"
            assert raw not in answers, f"{value!r} in an answer"


def test_the_file_check_sees_a_value_when_masking_is_off(tmp_path: Path, cache_dir: Path, embedder: Any) -> None:
    """The control for the test above: with masking off, the same chat leaves the IBAN in the SQLite file."""
    from apiserver import running
    from guidebot.api import ChatService, create_app
    from guidebot.index.builder import IndexBuilder
    from test_api import sample_settings

    settings = sample_settings(tmp_path, cache_dir, rate_limit_per_minute=10_000, privacy_mask=False)
    IndexBuilder(settings, embedder).build()
    with running(create_app(settings, ChatService(settings, embedder=embedder))) as base:
        _chat_with_every_kind(base)
    assert b"BE68 5390 0754 7034" in _files_bytes(tmp_path)


def test_the_console_never_finds_a_typed_value(tmp_path: Path, cache_dir: Path, embedder: Any) -> None:
    """An adviser's search finds the masked question by its placeholder, never by the value typed; the
    content-gaps CSV holds no typed value either."""
    from consolesite import console_site

    with console_site(tmp_path, cache_dir, embedder) as site:
        with site.client() as http:
            for message, _ in (TYPED["iban"], TYPED["name"]):
                r = http.post("/api/chat", json={"message": message})
                assert r.status_code == 200, r.text
            r = http.post(
                "/api/feedback", json={"message_id": r.json()["message_id"], "rating": "down", "comment": COMMENT[0]}
            )
            assert r.status_code == 200
        with site.session("editor") as (http, _):
            for typed in ("BE68 5390", "539007547034", "Sandrine", "Lefèvre", "0475 12"):
                found = http.get("/api/console/conversations", params={"q": typed})
                assert found.status_code == 200 and found.json()["total"] == 0, typed
            assert http.get("/api/console/conversations", params={"q": "[IBAN]"}).json()["total"] == 1
            assert http.get("/api/console/conversations", params={"q": "[nom]"}).json()["total"] == 1
            csv = http.get("/api/console/gaps.csv")
            assert csv.status_code == 200
            for _, value in [*TYPED.values(), COMMENT]:
                assert value not in csv.text
