"""SQLAlchemy engines on the state store's URL (SQLite on one machine, PostgreSQL in a cluster), with the database's clock."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

# Several processes (workers, servers, crawls) write one SQLite file; waiting beats failing.
SQLITE_BUSY_SECONDS = 30


def engine_for(url: str) -> sa.Engine:
    """An engine for a state store URL; ``postgresql://`` goes through psycopg (3), the driver we install."""
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        options["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(parsed, **options)


def db_now(dialect: str) -> sa.ColumnElement[float]:
    """Now in epoch seconds by the database's clock: one clock for every machine, whatever theirs say."""
    if dialect == "sqlite":
        return sa.literal_column("((julianday('now') - 2440587.5) * 86400.0)", sa.Float)
    return sa.literal_column("CAST(extract(epoch from clock_timestamp()) AS double precision)", sa.Float)


def upsert(dialect: str, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT for this dialect (both speak it; SQLAlchemy spells it per dialect)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert(table)
