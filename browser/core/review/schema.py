"""The verdict database's tables, and what became of schema 1.

Schema 1 keyed verdicts by the dataset folder's base name, relative paths as TEXT. Migrating
renames that table to ``legacy_verdicts`` and keeps every row; the first dataset of a name
to open gets a copy of that name's rows (``legacy_claims`` says which), and any other
dataset of the same name is told where they went instead of silently sharing them.
"""

from __future__ import annotations

import os
import sqlite3
import time

from browser.core.dataset import identity

SCHEMA_VERSION = 2  # 2: dataset keys (registry), relative paths as BLOBs
COLUMNS = "relpath, wnid, verdict, note, proposed, user, time"
# Schema 2's table and the one schema 1's rows are kept in differ only in the path's type.
_VERDICT_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    dataset TEXT NOT NULL,
    relpath {path_type} NOT NULL,
    wnid TEXT NOT NULL,
    verdict TEXT,
    note TEXT NOT NULL DEFAULT '',
    proposed TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (dataset, relpath)
);"""
_SCHEMA = (
    identity.REGISTRY_SCHEMA
    + "\nCREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    + _VERDICT_TABLE.format(name="verdicts", path_type="BLOB")
    + _VERDICT_TABLE.format(name="legacy_verdicts", path_type="TEXT")
    + """
CREATE TABLE IF NOT EXISTS legacy_claims (
    name TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    rows INTEGER NOT NULL,
    time REAL NOT NULL
);
"""
)
# Newest wins, in SQL too: a row is only ever replaced by one at least as new ({op}: ">" or
# ">=").
_NEWER = (
    "ON CONFLICT (dataset, relpath) DO UPDATE SET wnid = excluded.wnid, "
    "verdict = excluded.verdict, note = excluded.note, proposed = excluded.proposed, "
    "user = excluded.user, time = excluded.time WHERE excluded.time {op} verdicts.time"
)
UPSERT = f"INSERT INTO verdicts (dataset, {COLUMNS}) VALUES (?,?,?,?,?,?,?,?) {_NEWER}"
# Copy one dataset's rows to another key (parameters: the new key, the old key), newer wins.
COPY_NEWER = (
    f"INSERT INTO verdicts (dataset, {COLUMNS}) SELECT ?, {COLUMNS} FROM verdicts "
    f"WHERE dataset = ? {_NEWER.format(op='>')}"
)
# Schema 1's rows are valid UTF-8 TEXT (sqlite3 cannot store a lone surrogate), so their
# UTF-8 bytes are exactly os.fsencode of the path.
_CLAIM = (
    f"INSERT INTO verdicts (dataset, {COLUMNS}) SELECT ?, CAST(relpath AS BLOB), wnid, "
    "verdict, note, proposed, user, time FROM legacy_verdicts "
    f"WHERE dataset = ? {_NEWER.format(op='>')}"
)


def migrate(db: sqlite3.Connection) -> None:
    """Bring the database to SCHEMA_VERSION; call it inside a write transaction (another
    process may have migrated meanwhile: the version is read there)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version >= SCHEMA_VERSION:
        return
    if version == 1:
        db.execute("ALTER TABLE verdicts RENAME TO legacy_verdicts")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def claim_legacy(db: sqlite3.Connection, known: identity.DatasetIdentity) -> list[str]:
    """Give this dataset schema 1's rows of its folder name if no other dataset has them;
    notices for the user. Call it inside a write transaction."""
    name = identity.base_name(known.root)
    (count,) = db.execute(
        "SELECT count(*) FROM legacy_verdicts WHERE dataset = ?", (name,)
    ).fetchone()
    if not count:
        return []
    claim = db.execute("SELECT key FROM legacy_claims WHERE name = ?", (name,)).fetchone()
    if claim is None:
        db.execute(_CLAIM, (known.key, name))
        db.execute(
            "INSERT INTO legacy_claims VALUES (?, ?, ?, ?)", (name, known.key, count, time.time())
        )
        return [
            f"{count:,} verdicts kept under the folder name {name!r} (before datasets had "
            f"keys) are now this dataset's ({known.root})"
        ]
    if claim[0] == known.key:
        return []
    owner = db.execute("SELECT root FROM datasets WHERE key = ?", (claim[0],)).fetchone()
    where = os.fsdecode(owner[0]) if owner else "another dataset"
    return [
        f"{count:,} verdicts kept under the folder name {name!r} (before datasets had keys) "
        f"went to {where}, the first dataset of that name opened; this dataset does not "
        f"share them. If they were given on this one: synset-browser verdicts "
        f"{known.root} --same-as {where}"
    ]


def read_only_source(db: sqlite3.Connection, root: str, version: int) -> tuple[str, str]:
    """Where a database that cannot be written (so is never migrated or claimed) keeps
    ``root``'s verdicts: (table, dataset column value)."""
    name = identity.base_name(root)
    if version < SCHEMA_VERSION:
        return "verdicts", name  # never migrated: all there is
    key = identity.lookup(db, root)
    if key is not None:
        return "verdicts", key
    claimed = db.execute("SELECT 1 FROM legacy_claims WHERE name = ?", (name,)).fetchone()
    if claimed is not None:
        return "verdicts", ""  # none: they are another dataset's
    return "legacy_verdicts", name
