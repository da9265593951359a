"""Each loader, and the per-file report on bad input."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from conftest import article
from guidebot.ingest import load_corpus
from guidebot.ingest.html import parse_html
from guidebot.ingest.pdf import layout_to_markdown

HELP_CENTER_PAGE = """<!DOCTYPE html>
<html lang="fr-BE">
<head>
  <meta charset="utf-8">
  <title>Facturer un client | Guide Smart</title>
  <link rel="canonical" href="https://guide.example.test/fr/articles/123-facturer-un-client">
  <meta property="article:modified_time" content="2024-03-05T10:00:00+01:00">
  <script>window.dataLayer = []; alert("tracking")</script>
  <script type="application/ld+json">{"@type": "Article"}</script>
  <style>body { color: red }</style>
</head>
<body>
  <header class="site-header"><a href="/">Smart</a><nav><a href="/fr/tools">Outils</a> Menu principal</nav></header>
  <div id="cookie-banner" class="cookie-consent">Nous utilisons des cookies. <button>Accepter</button></div>
  <ol class="breadcrumb"><li>Accueil</li><li>Facturation</li></ol>
  <main>
    <article>
      <h1>Facturer un client</h1>
      <p>Smart <strong>facture</strong> le client en son nom, avec son numéro de TVA.</p>
      <h2>Les étapes</h2>
      <ol><li>Encoder le client.</li><li>Établir le devis.</li></ol>
      <h2>Délais de paiement</h2>
      <table>
        <caption>Délais légaux entre entreprises</caption>
        <thead><tr><th>Cas</th><th>Délai</th></tr></thead>
        <tbody><tr><td>Sans accord</td><td>30 jours</td></tr><tr><td>Maximum convenu</td><td>60 jours</td></tr></tbody>
      </table>
      <form class="article-votes"><p>Cet article vous a-t-il aidé ?</p><button>Oui</button></form>
    </article>
    <aside class="related-articles"><h3>Articles liés</h3><a href="/x">Autre article</a></aside>
  </main>
  <footer><p>© Smart — Mentions légales</p></footer>
</body>
</html>
"""


def test_markdown_with_front_matter(settings, write):
    write(
        "guide/a.md",
        article(
            "facturation-devis",
            "# Titre\n\n## Devis\n\nLe devis engage les deux parties.",
            extra="topics: [facturation]\ntool: 3en1\n",
        ),
    )
    result = load_corpus(settings.corpus_dir)
    (doc,) = result.documents
    assert (doc.id, doc.lang, doc.source, doc.tool, doc.topics) == (
        "facturation-devis",
        "fr",
        "guide",
        "3en1",
        ("facturation",),
    )
    assert doc.updated == "2026-11-29" and doc.path == "guide/a.md"
    assert "Le devis engage" in doc.text and "---" not in doc.text


def test_help_center_html_is_cleaned_and_its_metadata_read(settings, write):
    page = parse_html(HELP_CENTER_PAGE.encode())
    text = page.markdown
    assert page.meta["url"] == "https://guide.example.test/fr/articles/123-facturer-un-client"
    assert page.meta["title"] == "Facturer un client"
    assert page.meta["lang"] == "fr-BE"
    assert page.meta["updated"].startswith("2024-03-05")
    assert "# Facturer un client" in text and "## Délais de paiement" in text
    assert "1. Encoder le client." in text
    assert "**Délais légaux entre entreprises**" in text
    assert "| Cas | Délai |" in text and "| Sans accord | 30 jours |" in text
    assert "Smart facture le client en son nom" in text
    for boilerplate in (
        "cookies",
        "Menu principal",
        "Mentions légales",
        "aidé",
        "Articles liés",
        "tracking",
        "color: red",
        "Accueil",
        "@type",
    ):
        assert boilerplate not in text, boilerplate

    write("guide/facturer.html", HELP_CENTER_PAGE)
    (doc,) = load_corpus(settings.corpus_dir).documents
    assert doc.id == "fr-articles-123-facturer-un-client"
    assert (doc.lang, doc.updated, doc.format, doc.source) == ("fr", "2024-03-05", "html", "guide")


def test_html_sidecar_overrides_and_hostile_markup_stays_text(settings, write):
    hostile = (
        '<html lang="fr"><head><link rel="canonical" href="https://smartbe.be/fr/faq/"></head><body><article>'
        "<h1>Question</h1><p>Texte &lt;img src=x onerror=alert(1)&gt; sûr.</p>"
        '<img src=x onerror="alert(2)"><iframe src="https://evil.test"></iframe>'
        '<p onclick="steal()">Fin.</p></article></body></html>'
    )
    write("guide/q.html", hostile)
    write("guide/q.meta.yaml", "id: ma-question\nsource: reform\ntopics: [test]\n")
    (doc,) = load_corpus(settings.corpus_dir).documents
    assert (doc.id, doc.source, doc.topics) == ("ma-question", "reform", ("test",))
    assert "<img src=x onerror=alert(1)> sûr." in doc.text  # escaped text stays text
    assert "alert(2)" not in doc.text and "evil.test" not in doc.text and "steal" not in doc.text


def _pdf_with_table(path: Path) -> None:
    pdf = FPDF()
    pdf.set_title("Rapport de test")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Premiere page. Smart compte des membres dans plusieurs bureaux.")
    pdf.add_page()
    pdf.cell(0, 8, "Montants factures par outil", new_x="LMARGIN", new_y="NEXT")
    for row in (("Outil", "Montant", "Part"), ("3en1", "73,9 MEUR", "38 %"), ("Activite", "119,5 MEUR", "62 %")):
        for cell in row:
            pdf.cell(50, 8, cell)
        pdf.ln(8)
    pdf.output(str(path))


def test_pdf_keeps_pages_and_tables(settings, write):
    path = settings.corpus_dir / "report" / "rapport.pdf"
    path.parent.mkdir(parents=True)
    _pdf_with_table(path)
    write("report/rapport.meta.yaml", "id: rapport-test\nurl: https://www.smart.coop\nsource: report\nlang: fr\n")
    (doc,) = load_corpus(settings.corpus_dir).documents
    assert doc.title == "Rapport de test" and doc.format == "pdf" and doc.source == "report"
    assert "<!-- page: 1 -->" in doc.text and "<!-- page: 2 -->" in doc.text
    assert doc.text.index("Premiere page") < doc.text.index("<!-- page: 2 -->")
    assert "**Montants factures par outil**" in doc.text
    assert "| Outil | Montant | Part |" in doc.text and "| 3en1 | 73,9 MEUR | 38 % |" in doc.text


def test_layout_table_detection_leaves_prose_alone():
    text = "Une phrase ordinaire de prose\nqui continue ici.\n\nTitre du tableau\nA    B\n1    2\n"
    md = layout_to_markdown(text)
    assert "Une phrase ordinaire de prose qui continue ici." in md
    assert "**Titre du tableau**\n\n| A | B |\n|---|---|\n| 1 | 2 |" in md


def test_plain_text_and_encodings(settings, write):
    write("notes/note.txt", "Premiere ligne\nLe salaire est verse.\n")
    write("notes/note.meta.yaml", "url: https://smartbe.be/fr/faq/\nlang: fr\n")
    write("notes/latin.txt", "Délai de paiement\n".encode("cp1252"))
    write("notes/latin.meta.yaml", "url: https://smartbe.be/fr/faq/\nlang: fr\n")
    result = load_corpus(settings.corpus_dir)
    docs = {d.id: d for d in result.documents}
    assert docs["note"].title == "Premiere ligne"
    assert docs["latin"].title == "Délai de paiement"
    (latin,) = [f for f in result.files if f.path == "notes/latin.txt"]
    assert latin.status == "warning" and "Windows-1252" in latin.message


def test_bad_files_get_one_clear_line_each_and_the_rest_loads(settings, write):
    write("ok.md", article("bon-article", "Texte valable."))
    write("empty.md", "")
    write("nofront.md", "# Pas de métadonnées\n\nTexte.")
    write("badyaml.md", "---\nid: [oops\n---\nTexte\n")
    write("badlang.md", article("mauvaise-langue", "Texte.", lang="de"))
    write("baddate.md", article("x", "Texte.").replace("updated: 2026-11-29", "updated: hier"))
    write("broken.pdf", b"%PDF-1.7 this is not really a pdf")
    write("broken.meta.yaml", "url: https://www.smart.coop\nlang: fr\n")
    write("nobody.html", "<html lang='fr'><head><title>Vide</title></head></html>")
    write("binary.txt", b"\x00\x01\x02binary")
    write("image.png", b"\x89PNG")
    result = load_corpus(settings.corpus_dir)
    assert [d.id for d in result.documents] == ["bon-article"]
    by_path = {f.path: f for f in result.files}
    expected = {
        "empty.md": "empty file",
        "nofront.md": "no front matter",
        "badyaml.md": "not valid YAML",
        "badlang.md": "unknown lang",
        "baddate.md": "unparseable date",
        "broken.pdf": "not a readable PDF",
        "nobody.html": "no article text",
        "binary.txt": "binary data",
    }
    for path, fragment in expected.items():
        assert by_path[path].status == "error", path
        assert fragment in by_path[path].message, (path, by_path[path].message)
    assert by_path["image.png"].status == "skipped"
