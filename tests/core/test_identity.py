"""Dataset identity: same-named datasets never share verdicts, a moved dataset keeps them, and
a database written before dataset keys is migrated without losing a verdict."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from browser.core.dataset.identity import fingerprint
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.verdicts import DATABASE_NAME, VerdictStore
from tests.conftest import GOLDEN, TENCH, MakeFiles


def dataset(tmp_path: Path, where: str, make_files: MakeFiles, names: list[str]) -> Path:
    return make_files(tmp_path / where, [f"{TENCH}/{n}" for n in names])


def opened(root: Path, hierarchy: Hierarchy, cache: Path) -> DatasetIndex:
    return open_dataset(root, hierarchy, cache_dir=cache)


def test_two_datasets_whose_folders_share_a_name_never_share_verdicts(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    first = opened(dataset(tmp_path, "a/train", make_files, ["x.JPEG"]), hierarchy, tmp_path / "c")
    second = opened(
        dataset(tmp_path, "b/train", make_files, ["x.JPEG", "y.JPEG"]), hierarchy, tmp_path / "c"
    )
    with VerdictStore(tmp_path / "data") as store:
        one, two = store.identify(first), store.identify(second)
        assert one.key != two.key
        store.give(first.root, f"{TENCH}/x.JPEG", TENCH, "wrong_label")
        assert store.all(second.root) == []
        assert [v.verdict for v in store.all(first.root)] == ["wrong_label"]


def test_a_moved_dataset_keeps_its_verdicts_and_says_so(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = dataset(tmp_path, "disk1/val", make_files, ["x.JPEG", "y.JPEG"])
    with VerdictStore(tmp_path / "data") as store:
        before = store.identify(opened(root, hierarchy, tmp_path / "c"))
        store.give(str(root), f"{TENCH}/x.JPEG", TENCH, "ambiguous")
    moved = tmp_path / "disk2" / "imagenet-val"  # another mount, another name
    moved.parent.mkdir()
    root.rename(moved)
    with VerdictStore(tmp_path / "data") as store:
        after = store.identify(opened(moved, hierarchy, tmp_path / "c"))
        assert after.key == before.key
        assert after.notices == [f"verdicts of {root} carried over (the same images)"]
        assert [v.verdict for v in store.all(str(moved))] == ["ambiguous"]
        assert store.identify(str(moved)).notices == []  # said once


def test_a_copy_does_not_take_the_verdicts_of_a_dataset_that_still_exists(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    original = dataset(tmp_path, "val", make_files, ["x.JPEG"])
    copy = dataset(tmp_path, "copy/val", make_files, ["x.JPEG"])
    with VerdictStore(tmp_path / "data") as store:
        store.identify(opened(original, hierarchy, tmp_path / "c"))
        store.give(str(original), f"{TENCH}/x.JPEG", TENCH, "correct")
        assert store.identify(opened(copy, hierarchy, tmp_path / "c")).notices == []
        assert store.all(str(copy)) == []
        # ... unless the user says it is the same dataset.
        taken = store.same_as(str(copy), str(original))
        assert taken.notices == [f"verdicts of {original} carried over"]
        assert [v.verdict for v in store.all(str(copy))] == ["correct"]


def test_the_same_as_step_merges_verdicts_the_new_root_already_had(tmp_path: Path) -> None:
    with VerdictStore(tmp_path / "data") as store:
        store.give("/old/val", "a.JPEG", TENCH, "correct")
        store.give("/new/val", "b.JPEG", TENCH, "unusable")
        store.same_as("/new/val", "/old/val")
        assert {v.relpath: v.verdict for v in store.all("/new/val")} == {
            "a.JPEG": "correct",
            "b.JPEG": "unusable",
        }


def test_the_fingerprint_matches_before_and_after_sizes_are_known(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{GOLDEN}/b.JPEG"])
    index = opened(root, hierarchy, tmp_path / "c")
    unknown = fingerprint(index)
    assert unknown.files == ""
    fill_file_facts(index)
    known = fingerprint(index)
    assert known.paths == unknown.paths
    assert known.files
    assert unknown.matches(known.paths, known.files)
    assert known.matches(unknown.paths, unknown.files)
    (root / TENCH / "a.JPEG").write_bytes(b"other bytes")
    changed = fingerprint(opened(root, hierarchy, tmp_path / "c2"))
    fill_file_facts(opened(root, hierarchy, tmp_path / "c3"))
    other = opened(root, hierarchy, tmp_path / "c3")
    assert changed.paths == known.paths
    assert not known.matches(fingerprint(other).paths, fingerprint(other).files)


# The schema and rows of verdicts.sqlite as Synset Browser wrote it before dataset keys
# (schema 1): keyed by the dataset folder's base name, relative paths as TEXT.
_SCHEMA_1 = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (
    dataset TEXT NOT NULL,
    relpath TEXT NOT NULL,
    wnid TEXT NOT NULL,
    verdict TEXT,
    note TEXT NOT NULL DEFAULT '',
    proposed TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL,
    time REAL NOT NULL,
    PRIMARY KEY (dataset, relpath)
);
PRAGMA user_version = 1;
"""
_ROWS_1 = [
    ("val", f"{TENCH}/x.JPEG", TENCH, "wrong_label", "a carp", "n01443537", "ann", 1000.5),
    ("val", f"{TENCH}/y.JPEG", TENCH, "correct", "", "", "ann", 1001.0),
    ("train", f"{TENCH}/z.JPEG", TENCH, None, "only a note", "", "bob", 1002.0),
]


def write_schema_1(folder: Path) -> None:
    folder.mkdir(parents=True)
    db = sqlite3.connect(folder / DATABASE_NAME)
    db.executescript(_SCHEMA_1)
    db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?,?,?,?,?,?,?,?)", _ROWS_1)
    db.commit()
    db.close()


def test_a_database_from_before_dataset_keys_loses_no_verdict(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_schema_1(data)
    with VerdictStore(data) as store:
        first = store.identify("/disk/imagenet/val")
        assert first.notices == [
            "2 verdicts kept under the folder name 'val' (before datasets had keys) are now "
            "this dataset's (/disk/imagenet/val)"
        ]
        got = {
            (v.relpath, v.verdict, v.note, v.proposed, v.user, v.time)
            for v in store.all("/disk/imagenet/val")
        }
        assert got == {(r[1], r[3], r[4], r[5], r[6], r[7]) for r in _ROWS_1 if r[0] == "val"}
        # Another dataset named val is told where they went, and does not share them.
        other = store.identify("/elsewhere/val")
        assert store.all("/elsewhere/val") == []
        assert "went to /disk/imagenet/val" in other.notices[0]
        assert "--same-as /disk/imagenet/val" in other.notices[0]
        assert [v.note for v in store.all("/x/train")] == ["only a note"]
    db = sqlite3.connect(data / DATABASE_NAME)
    assert db.execute("SELECT count(*) FROM legacy_verdicts").fetchone() == (3,)  # all kept
    db.close()


def test_a_dataset_that_grew_is_still_recognised_after_it_moves(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = dataset(tmp_path, "val", make_files, ["x.JPEG"])
    with VerdictStore(tmp_path / "data") as store:
        first = store.identify(opened(root, hierarchy, tmp_path / "c"))
        make_files(root, [f"{TENCH}/added.JPEG"])
        grown = open_dataset(root, hierarchy, cache_dir=tmp_path / "c", refresh=True)
        assert len(grown) == 2
        store.identify(grown)  # the fingerprint follows the dataset
        moved = tmp_path / "moved"
        root.rename(moved)
        again = store.identify(opened(moved, hierarchy, tmp_path / "c"))
    assert again.key == first.key


def test_an_empty_dataset_never_takes_the_key_of_another(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    gone = make_files(tmp_path / "gone", [f"{TENCH}/"])
    with VerdictStore(tmp_path / "data") as store:
        first = store.identify(opened(gone, hierarchy, tmp_path / "c"))
        (gone / TENCH).rmdir()
        gone.rmdir()
        other = make_files(tmp_path / "other", [f"{GOLDEN}/"])
        assert store.identify(opened(other, hierarchy, tmp_path / "c")).key != first.key
