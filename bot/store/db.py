"""Opening the database: SQLite (WAL, busy timeout, BEGIN IMMEDIATE) or PostgreSQL, and
running the Alembic migrations programmatically under a lock so concurrent starts are safe."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from bot.errors import ConfigError, StoreError
from bot.store.base import READ_ONLY
from bot.store.health import check_tables, folder_error, store_error

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent.parent
#: A fixed key for PostgreSQL's advisory lock around migrations.
_MIGRATION_LOCK = 0x57B1EF


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for ``url``; SQLite files get their folder created and WAL mode."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"config: store.url: not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError("config: store.url: only sqlite:/// and postgresql+psycopg:// URLs are supported")
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @event.listens_for(engine, "connect", insert=True)
    def _no_jit(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # PostgreSQL's JIT compiles a query whose estimated cost is high: due()'s correlated
        # index probes are estimated in the millions and run in milliseconds, and JIT took ~1 s
        # to compile them at 1M deliveries (bench/due_scale.py). The store's queries are short.
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cur:
            cur.execute("SET jit = off")
        dbapi_conn.autocommit = autocommit

    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        if Path(database).expanduser().is_dir():
            raise StoreError(f"store: {Path(database).expanduser()} is a folder; [store] url must name a database file")
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise folder_error(exc, folder) from None
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Our own BEGIN below; pysqlite's implicit transactions would defer the write lock.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # IMMEDIATE takes the write lock up front: a read-then-write transaction never fails
        # with "database is locked" on upgrade, it waits its turn (busy_timeout) instead.
        # Read-only transactions (StoreBase.read) begin deferred: under WAL they never wait.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(url: str) -> Config:
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, *, repair: bool = False) -> list[str]:
    """Bring the schema to the newest revision; safe when several processes start at once.

    Then check every table exists (a table dropped by hand leaves Alembic's version at
    head): ``repair`` (``wirebrief db upgrade``) recreates missing tables and returns their
    names; otherwise a missing table is a StoreError telling the user to run it.
    """
    url = engine.url.render_as_string(hide_password=False)
    cfg = alembic_config(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            repaired = check_tables(conn, repair=repair)
    except DBAPIError as exc:
        if engine.dialect.name != "sqlite":
            raise ConfigError(f"config: store.url: cannot open the database: {_first_line(exc)}") from None
        raise store_error(exc, url) from None
    except SQLAlchemyError as exc:
        raise store_error(exc, url) from None
    log.debug("store migrated", extra={"url": engine.url.render_as_string(hide_password=True)})
    return repaired


def _first_line(exc: Exception) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip()
    return msg.splitlines()[0] if msg else type(exc).__name__
