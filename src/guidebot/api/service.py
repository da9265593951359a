"""The chat service behind the routes: load the models and index once, answer, store, follow new index builds.

Loading happens in a background thread at start-up, so ``/healthz`` answers at once and ``/readyz`` says when
the index and the store are ready; a database or a Chroma server that does not answer yet is waited for (tried
again every LOAD_RETRY_S), so workers may start before them. An answer is stored when it is complete, in the
worker that computed it, whether or not the client is still connected.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from guidebot.answer.build import build_engine
from guidebot.answer.engine import AnswerEngine, AnswerResult
from guidebot.config import Settings
from guidebot.console.gaps import QuestionVectors
from guidebot.errors import (
    ConversationNotFoundError,
    GuidebotError,
    IndexUnavailableError,
    NotReadyError,
    OverloadedError,
)
from guidebot.index import layout
from guidebot.index.embedders import Embedder
from guidebot.privacy import Masker, load_masker
from guidebot.store import ConversationStore
from guidebot.store.accounts import AccountStore
from guidebot.store.content import ContentStore
from guidebot.store.review import ReviewStore

log = logging.getLogger(__name__)

EngineFactory = Callable[[Settings, Embedder], AnswerEngine]

T = TypeVar("T")
WATCH_MIN_S = 0.2
RETENTION_EVERY_S = 24 * 3600.0
LOAD_RETRY_S = 2.0
DEPENDENCY_DOWN = (OperationalError, InterfaceError, IndexUnavailableError)


@dataclass
class Ticket:
    """One admitted answer: ``abandoned`` is set when its client left before a worker started it."""

    started: threading.Event = field(default_factory=threading.Event)
    abandoned: threading.Event = field(default_factory=threading.Event)


@dataclass
class Reply:
    """A stored answer: the contract's object plus the evidence the console reads."""

    conversation_id: str
    message_id: str
    result: AnswerResult

    def public(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "message_id": self.message_id, **self.result.public()}


class ChatService:
    """Answers chat requests from the current index and keeps every answer in the store."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        store: ConversationStore | None = None,
        engine_factory: EngineFactory = build_engine,
    ) -> None:
        self.settings = settings
        self.writer = settings.answer_writer
        self._embedder = embedder
        self._store = store
        self._engine: AnswerEngine | None = None
        self._engine_factory = engine_factory
        self._state = "loading"
        self._error = ""
        self._reload_lock = threading.Lock()
        # the console's stores share the conversation store's database; set once loading is done
        self.accounts: AccountStore
        self.reviews: ReviewStore
        self.content: ContentStore
        self.question_vectors: QuestionVectors
        self.masker: Masker
        self.executor = ThreadPoolExecutor(max_workers=settings.chat_workers, thread_name_prefix="guidebot-chat")
        self._admission = threading.Lock()
        self.admitted = 0  # answers computing or waiting for a worker
        self.abandoned = 0  # answers not computed because their client had left
        self._closing = threading.Event()

    # --- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> threading.Thread:
        """Load in the background; ``ready`` turns true when done."""
        thread = threading.Thread(target=self.load, name="guidebot-load", daemon=True)
        thread.start()
        return thread

    def load(self) -> None:
        started = time.perf_counter()
        masker: list[Masker] = []  # the spaCy model loads once, while the index does
        masking = threading.Thread(target=self._load_masker, args=(masker,), name="guidebot-mask")
        masking.start()
        while not self._closing.is_set():
            try:
                self._load(started, masking, masker)
                return
            except DEPENDENCY_DOWN as exc:  # stays "loading": tried again until it answers
                self._error = f"waiting for a dependency: {exc}"
                log.warning("cannot load yet (%s); trying again in %.0f s", exc.__class__.__name__, LOAD_RETRY_S)
                self._closing.wait(LOAD_RETRY_S)
            except Exception as exc:  # reported by /readyz; the process stays up so health checks can see why
                log.exception("loading failed")
                self._state, self._error = "failed", str(exc)
                return

    def _load(self, started: float, masking: threading.Thread, masker: list[Masker]) -> None:
        if self._store is None:
            self._store = ConversationStore(self.settings.database_url)
        if self._embedder is None:
            from guidebot.index.embedders import load_embedder

            self._embedder = load_embedder(
                self.settings.model_copy(update={"embed_threads": self.settings.serve_embed_threads})
            )
        self._engine = self._engine_factory(self.settings, self._embedder)
        self.accounts = AccountStore(self._store.engine, self.settings.secret_key.get_secret_value())
        self.reviews = ReviewStore(self._store.engine)
        self.content = ContentStore(self._store.engine)
        self.question_vectors = QuestionVectors(self._embedder)
        masking.join()
        if not masker:
            raise GuidebotError("the personal-data masker could not be loaded (see the log)")
        self.masker = masker[0]
        self._state, self._error = "ready", ""
        log.info("ready in %.1f s (index %s)", time.perf_counter() - started, self.index_build)
        threading.Thread(target=self._watch, name="guidebot-index-watch", daemon=True).start()
        if self.settings.retention_days:
            threading.Thread(target=self._retain, name="guidebot-retention", daemon=True).start()

    def _load_masker(self, into: list[Masker]) -> None:
        try:
            into.append(load_masker(self.settings))
        except Exception:  # load() reports it as a failed start
            log.exception("loading the personal-data masker failed")

    def close(self) -> None:
        self._closing.set()
        self.executor.shutdown(wait=True, cancel_futures=False)
        if self._store is not None:
            self._store.close()

    @property
    def ready(self) -> bool:
        return self._state == "ready"

    @property
    def state(self) -> str:
        return self._state

    @property
    def error(self) -> str:
        return self._error

    @property
    def index_build(self) -> str | None:
        return self._engine.searcher.snapshot.build_id if self._engine is not None else None

    def store_reachable(self) -> bool:
        """Does the database answer now? (``/readyz`` asks, so a load balancer stops sending traffic meanwhile.)"""
        if self._store is None:
            return False
        try:
            self._store.ping()
        except SQLAlchemyError:
            return False
        return True

    def index_reachable(self) -> bool:
        """Does the Chroma server of the served index answer now? (Always true for an index on disk.)"""
        return self._engine is not None and self._engine.searcher.snapshot.vectors.reachable()

    @property
    def store(self) -> ConversationStore:
        if self._store is None or not self.ready:
            raise NotReadyError(self._error or "the store is loading")
        return self._store

    @property
    def engine(self) -> AnswerEngine:
        """The engine on the newest index version (the watcher switches to a new one within index_check_s)."""
        if self._engine is None or not self.ready:
            raise NotReadyError(self._error or "the index is loading")
        return self._engine

    def _watch(self) -> None:
        """Switch to a newly built index version as soon as it is seen, whether or not questions come."""
        while not self._closing.wait(max(self.settings.index_check_s, WATCH_MIN_S)):
            try:
                current = layout.current_build_id(self.settings.index_root)
                if current and self._engine is not None and current != self._engine.searcher.snapshot.build_id:
                    self._switch(current)
            except Exception:  # a failed look is tried again at the next tick  # noqa: BLE001
                log.exception("index watcher")

    def _retain(self) -> None:
        """Delete what is older than the retention at start-up, then once a day (every worker may: deleting
        what another worker deleted already is nothing)."""
        from guidebot.store.retention import purge_older_than

        while not self._closing.is_set():
            try:
                counts = purge_older_than(self.store, self.accounts, self.settings.retention_days, actor="server")
                log.info("retention: %s deleted", counts)
            except Exception:  # a store that is down now is purged at the next tick  # noqa: BLE001
                log.exception("retention purge")
            self._closing.wait(RETENTION_EVERY_S)

    # --- admission ----------------------------------------------------------------------------------
    def admit(self) -> Ticket:
        """A place for one more answer, or OverloadedError at once when ``chat_queue`` are admitted already."""
        with self._admission:
            if self.admitted >= self.settings.chat_queue:
                raise OverloadedError(
                    f"guidebot is busy: {self.admitted} answers are already being computed or waiting"
                )
            self.admitted += 1
        return Ticket()

    def run_admitted(self, ticket: Ticket, work: Callable[..., T], *args: Any) -> T | None:
        """Run ``work`` in a worker for an admitted answer, unless its client left before it started."""
        try:
            if ticket.abandoned.is_set():
                with self._admission:
                    self.abandoned += 1
                return None
            ticket.started.set()
            return work(*args)
        finally:
            with self._admission:
                self.admitted -= 1

    def _switch(self, build_id: str) -> None:
        with self._reload_lock:
            assert self._engine is not None and self._embedder is not None
            if self._engine.searcher.snapshot.build_id == build_id:
                return
            try:
                self._engine = self._engine_factory(self.settings, self._embedder)
                log.info("switched to index %s", self.index_build)
            except Exception:  # keep answering from the version already open
                log.exception("could not open index %s; still serving %s", build_id, self.index_build)

    # --- answering ----------------------------------------------------------------------------------
    def check_conversation(self, conversation_id: str | None) -> None:
        """Raise NotFoundError now, before a stream starts, for an unknown conversation (and SQLAlchemy's error
        for a database that cannot be reached: the stream would not be stored)."""
        if conversation_id is None:
            self.store.ping()
        elif not self.store.exists(conversation_id):
            raise ConversationNotFoundError(f"unknown conversation {conversation_id}")

    def stream(self, message: str, conversation_id: str | None, language: str | None) -> Iterator[str | Reply]:
        """Yield the answer's text as it is written, then the stored Reply. The question is masked first: the
        answer, the stored question and its query never hold the personal data it may carry."""
        store = self.store
        message = self.masker.mask(message)
        history = store.history(conversation_id) if conversation_id else []
        result: AnswerResult | None = None
        for item in self.engine.ask_stream(message, history, language=language, writer=self.writer):
            if isinstance(item, AnswerResult):
                result = item
            else:
                yield item
        assert result is not None
        cid, mid = store.add_answer(conversation_id, message, result)
        yield Reply(cid, mid, result)

    def add_feedback(self, message_id: str, rating: str, comment: str | None) -> str:
        """Store a thumbs up or down, its comment masked like a question."""
        return self.store.add_feedback(message_id, rating, self.masker.mask(comment) if comment else comment)

    def answer(self, message: str, conversation_id: str | None, language: str | None) -> Reply:
        *_, reply = self.stream(message, conversation_id, language)
        assert isinstance(reply, Reply)
        return reply


__all__ = ["ChatService", "Reply", "Ticket"]
