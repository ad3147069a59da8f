"""A healthy verdict database in a folder we may not write is read in full, the newest
verdicts in its WAL included; only writes are refused.

The reading runs in a child process that really lacks write permission: the folder is
chmod 555, and as root (where mode bits do not stop writes) the child runs under ``setpriv``
without the capabilities that let root write anywhere (CAP_DAC_OVERRIDE & co.)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from browser.core.review.verdicts import DATABASE_NAME, VerdictStore
from tests.conftest import TENCH
from tests.core.test_identity import write_schema_1

ROOT = "/data/imagenet/val"
_READER = """
import json, sys
from pathlib import Path
from browser.core.review.verdicts import VerdictStore
from browser.core.review.records import VerdictsReadOnly
with VerdictStore(Path(sys.argv[1])) as store:
    seen = sorted((v.relpath, v.verdict) for v in store.all(sys.argv[2]))
    try:
        store.give(sys.argv[2], "new.JPEG", "n01440764", "correct")
        refused = False
    except VerdictsReadOnly:
        refused = True
    print(json.dumps({"problem": store.problem, "seen": seen, "refused": refused}))
"""


def read_without_write_permission(folder: Path, root: str) -> dict[str, object]:
    command = [sys.executable, "-c", textwrap.dedent(_READER), str(folder), root]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot take write permission away")
        drop = "--bounding-set=-dac_override,-dac_read_search,-fowner"
        command = [setpriv, drop, "--", *command]
    before = sorted(p.name for p in folder.iterdir())
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=False, cwd=os.getcwd()
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written there
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_newest_verdicts_in_an_uncheckpointed_wal_are_read(tmp_path: Path) -> None:
    live = tmp_path / "live"
    with VerdictStore(live) as writer:
        writer._db().execute("PRAGMA wal_autocheckpoint = 0")
        for n in range(20):
            writer.give(ROOT, f"{TENCH}/{n}.JPEG", TENCH, "wrong_label" if n % 2 else "correct")
        # A snapshot while the writer is open (as after a crash, or a backup): the newest
        # verdicts live only in the -wal, and there is no -shm.
        read_only = tmp_path / "read-only"
        read_only.mkdir()
        for name in (DATABASE_NAME, f"{DATABASE_NAME}-wal"):
            shutil.copyfile(live / name, read_only / name)
    main_only = tmp_path / "main-only"
    main_only.mkdir()
    shutil.copyfile(read_only / DATABASE_NAME, main_only / DATABASE_NAME)
    db = sqlite3.connect(f"{(main_only / DATABASE_NAME).as_uri()}?immutable=1", uri=True)
    try:
        in_main_file = db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
    except sqlite3.OperationalError:  # even the table is only in the WAL
        in_main_file = 0
    db.close()
    assert in_main_file < 20  # so immutable=1 alone would lose verdicts
    result = read_without_write_permission(read_only, ROOT)
    assert len(result["seen"]) == 20  # type: ignore[arg-type]
    assert "read-only" in str(result["problem"])
    assert result["refused"] is True


def test_a_cleanly_closed_database_in_a_read_only_folder_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with VerdictStore(data) as store:
        store.give(ROOT, f"{TENCH}/a.JPEG", TENCH, "unusable")
    assert not (data / f"{DATABASE_NAME}-wal").exists()
    result = read_without_write_permission(data, ROOT)
    assert result["seen"] == [[f"{TENCH}/a.JPEG", "unusable"]]
    assert result["refused"] is True


def test_a_database_from_before_dataset_keys_is_read_in_a_read_only_folder(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_schema_1(data)
    result = read_without_write_permission(data, "/disk/val")
    assert result["seen"] == [[f"{TENCH}/x.JPEG", "wrong_label"], [f"{TENCH}/y.JPEG", "correct"]]
    db = sqlite3.connect(data / DATABASE_NAME)
    assert db.execute("PRAGMA user_version").fetchone() == (1,)  # left as it was
    db.close()


def test_a_read_only_store_never_shows_one_dataset_the_verdicts_another_claimed(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_schema_1(data)
    with VerdictStore(data) as store:
        store.identify("/disk/val")  # claims the rows kept under the name "val"
    assert read_without_write_permission(data, "/other/val")["seen"] == []
    assert len(read_without_write_permission(data, "/disk/val")["seen"]) == 2  # type: ignore[arg-type]
