"""SQL both state-store dialects share for leases and jobs: the database's clock and INSERT ... ON CONFLICT."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa


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
