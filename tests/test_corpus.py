"""The demonstration corpus: valid front matter, unique ids, enough articles, and COVERAGE.md honest."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from conftest import ROOT
from guidebot.chunking import Chunker, ChunkerConfig
from guidebot.ingest import load_corpus
from guidebot.ingest.metadata import REQUIRED_FIELDS, normalise_date, split_front_matter

CORPUS = ROOT / "corpus"
FACT_SHEET = ROOT.parent / "shared" / "facts" / "smart-facts.md"


@pytest.fixture(scope="module")
def loaded():
    return load_corpus(CORPUS)


def test_every_file_loads_without_error(loaded) -> None:
    problems = [(f.path, f.message) for f in loaded.files if f.status != "loaded"]
    assert problems == []


def test_front_matter_is_complete_and_ids_unique(loaded) -> None:
    for path in sorted(CORPUS.rglob("*.md")):
        if path.name in ("README.md", "COVERAGE.md"):
            continue
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        rel = path.relative_to(CORPUS)
        assert all(meta.get(f) for f in REQUIRED_FIELDS), rel
        assert meta["id"] == path.stem, rel
        assert meta["lang"] in ("fr", "nl", "en"), rel
        normalise_date(meta["updated"])
        assert meta["url"] in (meta.get("sources") or []), f"{rel}: url not listed in sources"
        words = len(body.split())
        if meta["source"] in ("guide", "reform"):
            assert 120 <= words <= 700, f"{rel}: {words} words"
    ids = Counter(d.id for d in loaded.documents)
    assert [i for i, n in ids.items() if n > 1] == []


def test_counts_per_folder_and_language(loaded) -> None:
    docs = loaded.documents
    fr_guide = [d for d in docs if d.path.startswith("guide/fr/")]
    assert len(fr_guide) >= 60
    assert sum(d.lang == "nl" for d in docs) >= 10
    assert sum(d.lang == "en" for d in docs) >= 5
    assert sum(d.format == "html" for d in docs) >= 3
    topics = {d.path.split("/")[2] for d in fr_guide}
    assert {
        "outil-3en1",
        "outil-activite",
        "facturation",
        "salaire-frais",
        "contribution-mutualisee",
        "societariat",
        "conseillers",
        "reforme-statut-artiste",
        "droits-auteur",
        "smart-en-bref",
    } <= topics
    (contract,) = [d for d in docs if d.source == "contract"]
    assert "4 septembre 2023" in contract.text
    report = {d.id for d in docs if d.source == "report"}
    for section in (
        "mission-valeurs",
        "chiffres-cles",
        "outils",
        "profil-membres",
        "bureaux-conseillers",
        "secteurs",
        "clients-impayes",
        "avenir",
        "gouvernance",
        "reseau-europeen",
        "comptes",
    ):
        assert f"rapport-2023-{section}" in report


def test_html_pages_index_like_the_rest(loaded) -> None:
    pages = [d for d in loaded.documents if d.format == "html"]
    chunker = Chunker(ChunkerConfig(), ROOT / "indexes" / ".cache")
    for page in pages:
        assert page.url.startswith("https://") and page.lang == "fr" and page.title
        assert "cookie" not in page.text.lower() and "<" not in page.text
        chunks = chunker.chunk(page)
        assert len(chunks) >= 2 and all(c.section for c in chunks[1:])


def _coverage_rows() -> list[tuple[str, list[str]]]:
    rows = []
    for line in (CORPUS / "COVERAGE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and line.startswith("|") and not set(cells[0]) <= {"-", " ", ":"}:
            ids = [i.strip(" `") for i in re.split(r"[,;]", cells[1]) if i.strip(" `")]
            rows.append((cells[0], ids))
    return rows[1:] if rows else rows


def test_coverage_names_only_existing_documents_and_every_fact(loaded) -> None:
    known = {d.id for d in loaded.documents}
    rows = _coverage_rows()
    facts = {}
    for key, ids in rows:
        if key.lower() in ("fact", "report section", "section"):
            continue
        assert ids and ids != ["none"], f"{key}: not covered"
        unknown = [i for i in ids if i not in known]
        assert unknown == [], f"{key}: unknown ids {unknown}"
        if re.fullmatch(r"\d+\.\d+", key):
            facts[key] = ids
    # Every fact number of the fact sheet (sections 0 to 12), numbered without gaps.
    for section in range(13):
        numbers = sorted(int(k.split(".")[1]) for k in facts if int(k.split(".")[0]) == section)
        assert numbers and numbers == list(range(1, len(numbers) + 1)), f"section {section}: {numbers}"
    if FACT_SHEET.is_file():  # beside the checkout on the developers' machines
        sheet = set(re.findall(r"^(\d+\.\d+)\. ", FACT_SHEET.read_text(encoding="utf-8"), re.MULTILINE))
        assert sheet == set(facts)


def test_sources_are_public_urls() -> None:
    for path in sorted(CORPUS.rglob("*.md")) + sorted(CORPUS.rglob("*.meta.yaml")):
        if path.name in ("README.md", "COVERAGE.md"):
            continue
        text = path.read_text(encoding="utf-8")
        meta = split_front_matter(text)[0] if path.suffix == ".md" else yaml.safe_load(text)
        for url in meta.get("sources") or []:
            assert re.match(r"^https?://[^\s/]+\.[a-z]{2,}", url), f"{path}: {url}"
