"""A real, throwaway PostgreSQL server for the test run, from Debian's postgresql package.

``PostgresServer.start()`` runs ``initdb`` into a fresh temporary directory, starts the server on 127.0.0.1 on a
free port (its unix socket inside that directory, its log in a file there) and waits until it accepts connections;
``stop()`` stops it and removes the directory. PostgreSQL refuses to run as root: when the tests run as root, the
server commands run as the ``postgres`` system user (created by Debian's package), which owns the directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_USER = "guidebot"
DEFAULT_DB = "guidebot"
SYSTEM_USER = "postgres"  # who runs the server when the tests run as root
INSTALL_HINT = (
    "install Debian's PostgreSQL server package (`apt-get install postgresql`), "
    "or set GUIDEBOT_TEST_POSTGRES_URL to an existing server"
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The bin directory of the highest PostgreSQL version under /usr/lib/postgresql (pg_config may point elsewhere)."""
    candidates = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        bindir = Path(initdb).parent
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            version = tuple(int(x) for x in re.findall(r"\d+", bindir.parent.name)) or (0,)
            candidates.append((version, bindir))
    if not candidates:
        raise PostgresUnavailable(f"no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: {INSTALL_HINT}")
    return max(candidates)[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _traversable_by_others(path: Path) -> bool:
    """Whether another user can reach entries of ``path`` (x permission for 'other' on it and every parent)."""
    for p in [path, *path.parents]:
        if not p.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def admin_conninfo(url: str) -> str:
    """A libpq URI (no SQLAlchemy driver suffix) for psycopg.connect, password included."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(url: str, name: str) -> str:
    """CREATE DATABASE ``name`` on the server of ``url``; return the SQLAlchemy URL of the new database."""
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return make_url(url).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    """DROP DATABASE ``name`` (terminating any connection still open to it)."""
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unique_db_name(prefix: str = "gbtest") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


@dataclass
class PostgresServer:
    """One throwaway PostgreSQL cluster; use as a context manager or call start()/stop()."""

    user: str = DEFAULT_USER
    dbname: str = DEFAULT_DB
    bindir: Path | None = None
    start_timeout: float = 30.0
    base: Path | None = field(default=None, init=False)
    port: int = field(default=0, init=False)
    startup_seconds: float = field(default=0.0, init=False)
    _started: bool = field(default=False, init=False)

    # -- paths ----------------------------------------------------------------------------------------------
    @property
    def datadir(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    @property
    def sockdir(self) -> Path:
        assert self.base is not None
        return self.base / "sock"

    @property
    def logfile(self) -> Path:
        assert self.base is not None
        return self.base / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the test database."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{self.dbname}"

    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    # -- commands -------------------------------------------------------------------------------------------
    def _cmd(self, tool: str, *args: str) -> list[str]:
        assert self.bindir is not None
        argv = [str(self.bindir / tool), *args]
        if not self.as_root:
            return argv
        if shutil.which("runuser"):
            return ["runuser", "-u", SYSTEM_USER, "--", *argv]
        import shlex

        return ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]

    def _run(self, tool: str, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[bytes]:
        """Run a server command with its output appended to a file in the temp dir (never a pipe)."""
        assert self.base is not None
        out_path = self.base / "commands.log"
        with open(out_path, "ab") as out:
            out.write(f"$ {tool} {' '.join(args)}\n".encode())
            out.flush()
            proc = subprocess.run(
                self._cmd(tool, *args),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.base,  # initdb/postgres need a cwd they can read
                timeout=timeout,
                check=False,
            )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{tool} failed with exit code {proc.returncode}\n"
                f"--- {out_path} (tail) ---\n{_tail(out_path)}\n--- {self.logfile} (tail) ---\n{_tail(self.logfile)}"
            )
        return proc

    # -- lifecycle ------------------------------------------------------------------------------------------
    def _make_base(self) -> Path:
        parent = Path(tempfile.gettempdir())
        if self.as_root and not _traversable_by_others(parent):
            parent = Path("/tmp")
        base = Path(tempfile.mkdtemp(prefix="guidebot-pg-", dir=parent))
        base.chmod(0o755)
        self.base = base
        self.sockdir.mkdir(mode=0o700)
        self.logfile.touch()
        if self.as_root:
            try:
                pw = pwd.getpwnam(SYSTEM_USER)
            except KeyError as exc:
                raise PostgresUnavailable(
                    f"no '{SYSTEM_USER}' system user to run the server as root: {INSTALL_HINT}"
                ) from exc
            for p in (base, self.sockdir, self.logfile):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        return base

    def start(self) -> PostgresServer:
        t0 = time.monotonic()
        if self.bindir is None:
            self.bindir = find_bindir()
        self._make_base()
        try:
            self._run(
                "initdb",
                "-D", str(self.datadir),
                "-U", self.user,
                "--auth=trust",
                "-E", "UTF8",
                "--locale=C.UTF-8",  # lower() folds accented letters, as on a production server
                "--no-sync",
            )  # fmt: skip
            self._start_server()
            self._wait_ready()
            with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.dbname}"')
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _start_server(self, attempts: int = 3) -> None:
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.sockdir}",
            # A throwaway cluster: durability is not wanted, speed is.
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
        ]
        for attempt in range(attempts):
            self.port = free_port()
            try:
                self._run(
                    "pg_ctl",
                    "-D", str(self.datadir),
                    "-l", str(self.logfile),
                    "-o", " ".join([f"-p {self.port}", *options]),
                    "-w",
                    "-t", str(int(self.start_timeout)),
                    "start",
                    timeout=self.start_timeout + 30,
                )  # fmt: skip
                self._started = True
                return
            except RuntimeError:
                # Another process may have taken the port between free_port() and the bind: try another one.
                if attempt + 1 < attempts and "could not bind" in _tail(self.logfile, 20):
                    continue
                raise

    def _conninfo(self, dbname: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname} connect_timeout=2"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self._conninfo("postgres")) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                last = exc
                time.sleep(0.1)
        raise RuntimeError(
            f"PostgreSQL did not accept connections on 127.0.0.1:{self.port} within {self.start_timeout:.0f}s: "
            f"{last}\n--- {self.logfile} (tail) ---\n{_tail(self.logfile)}"
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory; safe to call twice."""
        if self.base is None:
            return
        try:
            if self._started and (self.datadir / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                    self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "-t", "30", "stop", timeout=60)
        finally:
            self._started = False
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def pause(self) -> None:
        """Stop the server, keeping its data, as an outage would (``resume`` starts it again on the same port)."""
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "-t", "30", "stop", timeout=60)

    def resume(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.sockdir} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-o", options, "-w", "start", timeout=90)
        self._wait_ready()

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
