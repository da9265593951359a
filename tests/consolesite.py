"""A running guidebot with console accounts and seeded conversations, for the console's API and browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from apiserver import running
from conftest import article
from guidebot.api import ChatService, create_app
from guidebot.config import Settings
from guidebot.console.security import hash_password
from guidebot.index.builder import IndexBuilder
from test_api import sample_settings

PASSWORD = "correct horse battery staple"
USERS = {
    "adviser": "conseil@smart.test",
    "editor": "contenu@smart.test",
    "admin": "admin@smart.test",
}
DISABLED = "parti@smart.test"
# (question, language, feedback): answered, refused, Dutch, a tool, thumbs up and down, hostile markup
SEED = [
    ("Combien coûte une part ?", None, "down"),
    ("Quel temps fera-t-il demain à Bruxelles ?", None, None),
    ("Wanneer wordt mijn loon betaald?", None, "up"),
    ("Dans l'outil 3en1, à quoi sont rattachés la facture et le salaire ?", None, None),
    ('<img src=x onerror="window.__pwned=1"> Comment faire une note de crédit ?', None, None),
]


@dataclass
class ConsoleSite:
    base: str
    service: ChatService
    settings: Settings
    app: FastAPI
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)  # question -> chat API answer

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30)

    @contextmanager
    def session(self, role_or_email: str) -> Iterator[tuple[httpx.Client, str]]:
        """A client logged in as that role (or e-mail) and its CSRF token, closed at the end."""
        http, csrf = self.login(role_or_email)
        try:
            yield http, csrf
        finally:
            http.close()

    def login(self, role_or_email: str, password: str = PASSWORD) -> tuple[httpx.Client, str]:
        """A client logged in as that role (or e-mail) and its CSRF token."""
        email = USERS.get(role_or_email, role_or_email)
        http = self.client()
        token = http.get("/api/console/csrf").json()["csrf_token"]
        r = http.post(
            "/api/console/login", json={"email": email, "password": password}, headers={"X-CSRF-Token": token}
        )
        assert r.status_code == 200, r.text
        return http, r.json()["csrf_token"]


@contextmanager
def console_site(root: Path, cache_dir: Path, embedder: Any, **overrides: Any) -> Iterator[ConsoleSite]:
    # the console runs behind a TLS proxy on loopback here (the origin check reads its X-Forwarded-Proto)
    defaults = {"rate_limit_per_minute": 10_000, "login_delay_s": 0.05, "forwarded_allow_ips": "127.0.0.1"}
    settings = sample_settings(root, cache_dir, **{**defaults, **overrides})
    IndexBuilder(settings, embedder).build()
    service = ChatService(settings, embedder=embedder)
    app = create_app(settings, service)
    with running(app) as base:
        hashed = hash_password(PASSWORD)
        for role, email in USERS.items():
            service.accounts.add_user(email, hashed, role)
        service.accounts.add_user(DISABLED, hashed, "adviser")
        service.accounts.set_disabled(DISABLED, True)
        site = ConsoleSite(base, service, settings, app)
        with site.client() as http:
            for question, language, rating in SEED:
                answer = http.post("/api/chat", json={"message": question, "language": language}).json()
                site.conversations[question] = answer
                if rating:
                    http.post("/api/feedback", json={"message_id": answer["message_id"], "rating": rating})
            follow = http.post(
                "/api/chat",
                json={
                    "message": "et pour l'outil Activité ?",
                    "conversation_id": site.conversations["Combien coûte une part ?"]["conversation_id"],
                },
            )
            assert follow.status_code == 200
        yield site


# --- what the content team's pages read: an old article, a comment, a repeated question, a review -------------
OLD_ARTICLE = article(
    "contribution-ancien-bareme",
    """
    ## L'ancien barème de la contribution

    En 2019, la contribution aux frais de gestion mutualisés était de 6,5 % du chiffre d'affaires.
    """,
    title="L'ancien barème de la contribution",
).replace("updated: 2026-11-29", "updated: 2019-03-01")
COMMENT = "Il manque le lien avec la facture."


def write_old_article(root: Path) -> None:
    """An article last updated in 2019, written before the site's corpus (console_site adds the others)."""
    path = root / "corpus" / "contribution" / "ancien.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OLD_ARTICLE, encoding="utf-8")


def seed_content_team(site: ConsoleSite) -> None:
    """A thumbs down with a comment, a refused question asked twice in one conversation, an adviser's review
    of an answered question as incorrect."""
    with site.client() as http:
        tool = site.conversations["Dans l'outil 3en1, à quoi sont rattachés la facture et le salaire ?"]
        r = http.post("/api/feedback", json={"message_id": tool["message_id"], "rating": "down", "comment": COMMENT})
        assert r.status_code == 200, r.text
        weather = site.conversations["Quel temps fera-t-il demain à Bruxelles ?"]
        again = {"message": "Quel  temps fera-t-il demain à Bruxelles ?", "conversation_id": weather["conversation_id"]}
        assert http.post("/api/chat", json=again).status_code == 200
    admin = site.service.accounts.get_user(USERS["admin"])
    assert admin is not None
    paid = site.conversations["Wanneer wordt mijn loon betaald?"]
    site.service.reviews.add_review(paid["message_id"], admin, "incorrect", None, [], "Le délai est faux.")
