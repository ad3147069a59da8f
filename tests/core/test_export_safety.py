"""Exports lose nothing and say nothing wrong: name clashes, failing sources, long and
non-UTF-8 names, an output inside the dataset, class indices that do not shift with filters."""

from __future__ import annotations

import csv
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.export import files as exportfiles
from browser.core.export.plan import ExportError, ExportOptions, plan_export
from browser.core.export.run import run_export
from browser.core.filenames import open_text, path_from_json
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.records import Verdict
from tests.conftest import DOG, GOLDEN, TABBY, MakeFiles

CHIHUAHUA = "n02085620"


def open_view(root: Path, hierarchy: Hierarchy, tmp_path: Path) -> DatasetView:
    return DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))


def manifest(out: Path) -> list[dict[str, str]]:
    with open_text(out / "manifest.csv") as handle:
        return list(csv.DictReader(handle))


def imagefolder_classes(split_folder: Path) -> list[str]:
    """What torchvision.datasets.ImageFolder.find_classes does (and it refuses empty ones)."""
    classes = sorted(entry.name for entry in os.scandir(split_folder) if entry.is_dir())
    for name in classes:
        assert any((split_folder / name).iterdir()), f"ImageFolder refuses empty {name}"
    return classes


@pytest.fixture
def view(tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy) -> DatasetView:
    root = make_files(
        tmp_path / "ds",
        [f"train/{GOLDEN}/g{i}.JPEG" for i in range(3)]
        + [f"train/{CHIHUAHUA}/c{i}.JPEG" for i in range(2)]
        + [f"train/{DOG}/d0.JPEG", f"val/{GOLDEN}/g0.JPEG", f"train/{TABBY}/t0.JPEG"],
    )
    return open_view(root, hierarchy, tmp_path)


def test_a_clash_with_an_earlier_rename_and_with_case_loses_no_image(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"{GOLDEN}/a/x.JPEG", f"{GOLDEN}/b/x.JPEG", f"{GOLDEN}/c/x~2.JPEG", f"{GOLDEN}/d/X.JPEG"],
    )
    view = open_view(root, hierarchy, tmp_path)
    options = ExportOptions((GOLDEN,), "copy")
    plan = plan_export(view, options)
    outputs = [p.output.casefold() for p in plan.files]
    assert len(set(outputs)) == 4
    out = tmp_path / "out"
    assert run_export(view, options, plan, out) == {"copy": 4}
    assert len(list((out / "all" / GOLDEN).iterdir())) == 4
    assert len({row["output"].casefold() for row in manifest(out)}) == 4


def test_a_file_already_there_is_never_counted_as_exported(
    view: DatasetView, tmp_path: Path
) -> None:
    options = ExportOptions((GOLDEN,), "copy", splits=("train",))
    plan = plan_export(view, options)
    # Two names one on a drive that ignores case (a plan changed after planning).
    plan.files[1].output = plan.files[0].output.upper()
    out = tmp_path / "out"
    stranger = out / plan.files[2].output

    def someone_writes_there() -> bool:  # something appears where a file is to go
        if out.exists() and not stranger.exists():
            stranger.parent.mkdir(parents=True, exist_ok=True)
            stranger.write_bytes(b"not the source")
        return False

    result = run_export(view, options, plan, out, cancelled=someone_writes_there)
    assert result == {"copy": 1, "failed": 2}
    rows = manifest(out)
    assert [row["mode"] for row in rows] == ["copy", "failed", "failed"]
    assert "another file's name" in rows[1]["error"]
    assert "exists already" in rows[2]["error"]
    assert stranger.read_bytes() == b"not the source"  # never overwritten
    # A resume does not take a file it did not place for the one it was to place.
    assert run_export(view, options, plan, out, resume=True) == {"copy": 1, "failed": 2}
    assert stranger.read_bytes() == b"not the source"


def test_an_output_inside_the_dataset_is_refused(view: DatasetView, tmp_path: Path) -> None:
    options = ExportOptions((GOLDEN,), "copy")
    plan = plan_export(view, options)
    root = Path(view.index.root)
    (tmp_path / "alias").symlink_to(root / "train")
    for out in (root / "new" / "deeper", root, tmp_path / "alias" / "out"):
        with pytest.raises(ExportError, match="inside the dataset"):
            run_export(view, options, plan, out)
        assert not out.exists() or out == root
    assert sorted(os.listdir(root)) == ["train", "val"]


def test_a_vanished_source_is_recorded_as_failed_and_a_resume_retries_it(
    view: DatasetView, tmp_path: Path
) -> None:
    for mode in ("copy", "hardlink", "symlink"):
        options = ExportOptions((GOLDEN,), mode)
        plan = plan_export(view, options)
        gone = Path(view.index.root, f"train/{GOLDEN}/g1.JPEG")
        kept = gone.read_bytes()
        gone.unlink()
        out = tmp_path / f"out-{mode}"
        result = run_export(view, options, plan, out)
        assert result == {mode: 3, "failed": 1}
        assert result.failed[0][0] == str(gone)
        failed = [row for row in manifest(out) if row["mode"] == "failed"]
        assert [row["source"] for row in failed] == [str(gone)]
        assert "No such file" in failed[0]["error"]
        described = json.loads((out / "export.json").read_text(encoding="utf-8"))
        assert described["failed"][0]["source"] == str(gone)
        assert "No such file" in described["failed"][0]["reason"]
        assert not list(out.rglob(".sb-*"))  # no temporary file left behind
        gone.write_bytes(kept)
        assert run_export(view, options, plan, out, resume=True) == {mode: 4}
        assert {row["mode"] for row in manifest(out)} == {mode}
        assert json.loads((out / "export.json").read_text(encoding="utf-8"))["failed"] == []


def test_a_255_byte_name_is_copied_and_a_clash_of_two_is_shortened(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    longest = "a" * 250 + ".JPEG"
    root = make_files(tmp_path / "ds", [f"{GOLDEN}/one/{longest}", f"{GOLDEN}/two/{longest}"])
    view = open_view(root, hierarchy, tmp_path)
    options = ExportOptions((GOLDEN,), "copy")
    out = tmp_path / "out"
    assert run_export(view, options, plan_export(view, options), out) == {"copy": 2}
    names = sorted(os.listdir(out / "all" / GOLDEN))
    assert longest in names
    assert len(names) == 2
    assert all(len(name.encode()) <= 255 for name in names)


def test_class_indices_do_not_shift_with_split_verdict_or_sample_filters(
    view: DatasetView,
) -> None:
    every = [wnid for _, wnid, _ in plan_export(view, ExportOptions((DOG,), "none")).classes]
    assert every == sorted([DOG, CHIHUAHUA, GOLDEN])
    verdicts = {
        f"train/{CHIHUAHUA}/c{i}.JPEG": Verdict(
            f"train/{CHIHUAHUA}/c{i}.JPEG", CHIHUAHUA, "unusable"
        )
        for i in range(2)
    }
    for options in (
        ExportOptions((DOG,), "none", splits=("val",)),
        ExportOptions((DOG,), "none", exclude_verdicts=("unusable",)),
        ExportOptions((DOG,), "none", per_class=1, splits=("val",)),
    ):
        plan = plan_export(view, options, verdicts)
        assert plan.classes == plan_export(view, ExportOptions((DOG,), "none")).classes
        index = {wnid: i for i, wnid, _ in plan.classes}
        assert all(p.class_index == index[p.wnid] for p in plan.files)


def test_a_split_without_some_classes_gets_the_imagefolder_mapping_and_a_warning(
    view: DatasetView, tmp_path: Path
) -> None:
    options = ExportOptions((DOG,), "copy")
    plan = plan_export(view, options)
    assert any("val" in warning and "ImageFolder" in warning for warning in plan.warnings)
    out = tmp_path / "out"
    result = run_export(view, options, plan, out)
    assert result.warnings == plan.warnings
    described = json.loads((out / "export.json").read_text(encoding="utf-8"))
    classes_txt = {
        line.split("\t")[1]: int(line.split("\t")[0])
        for line in (out / "classes.txt").read_text().splitlines()
    }
    assert described["warnings"] == plan.warnings
    for split in ("train", "val"):
        found = imagefolder_classes(out / split)  # and no empty class folder
        mapping = described["imagefolder_class_to_idx"][split]
        assert mapping == {name: i for i, name in enumerate(found)}
        to_classes_txt = described["imagefolder_to_class_index"][split]
        assert to_classes_txt == [classes_txt[name] for name in found]
    assert described["imagefolder_class_to_idx"]["val"] == {GOLDEN: 0}
    assert classes_txt[GOLDEN] == 2


def test_excluding_by_verdict_without_the_verdicts_is_refused(view: DatasetView) -> None:
    with pytest.raises(ExportError, match="verdict"):
        plan_export(view, ExportOptions((DOG,), "none", exclude_verdicts=("unusable",)), None)


def test_a_split_that_does_not_exist_is_refused_naming_the_splits(view: DatasetView) -> None:
    with pytest.raises(ExportError, match="'vall'.*train, val"):
        plan_export(view, ExportOptions((DOG,), "none", splits=("vall",)))


def test_non_utf8_names_keep_their_bytes_in_files_manifest_and_json(
    tmp_path: Path, jpeg_bytes: bytes, hierarchy: Hierarchy
) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/ds\xff"))
    folder = Path(root, "train", GOLDEN)
    folder.mkdir(parents=True)
    name = os.fsdecode(b"caf\xe9.JPEG")
    (folder / name).write_bytes(jpeg_bytes)
    (folder / os.fsdecode(b"gone\xe9.JPEG")).write_bytes(jpeg_bytes)
    view = open_view(root, hierarchy, tmp_path)
    chosen = (f"train/{GOLDEN}/{name}", f"train/{GOLDEN}/" + os.fsdecode(b"gone\xe9.JPEG"))
    options = ExportOptions((GOLDEN,), "copy", images=chosen)
    plan = plan_export(view, options)
    (folder / os.fsdecode(b"gone\xe9.JPEG")).unlink()
    out = tmp_path / "out"
    assert run_export(view, options, plan, out) == {"copy": 1, "failed": 1}
    assert os.listdir(os.fsencode(out / "train" / GOLDEN)) == [b"caf\xe9.JPEG"]
    raw = (out / "manifest.csv").read_bytes()
    assert b"/train/" + GOLDEN.encode() + b"/caf\xe9.JPEG" in raw  # the source, as bytes
    assert b"train/" + GOLDEN.encode() + b"/caf\xe9.JPEG," in raw  # the output
    text = (out / "export.json").read_bytes().decode("utf-8")  # strict: valid UTF-8
    assert "\\udc" not in text
    described = json.loads(text)
    assert path_from_json(described, "source") == str(root)
    assert os.fsencode(path_from_json(described["failed"][0], "source")).endswith(b"gone\xe9.JPEG")
    assert described["failed"][0]["source"].endswith("gone\ufffd.JPEG")
    assert [path_from_json(p) for p in described["options"]["images"]] == list(chosen)


def test_relative_links_resolve_when_the_output_is_reached_through_a_link(
    view: DatasetView, tmp_path: Path
) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "alias").symlink_to(deep)
    options = ExportOptions((TABBY,), "symlink", relative_links=True)
    out = tmp_path / "alias" / "out"
    run_export(view, options, plan_export(view, options), out)
    link = out / f"train/{TABBY}/t0.JPEG"
    assert link.resolve() == Path(view.index.root, f"train/{TABBY}/t0.JPEG").resolve()


def test_a_temporary_copy_name_fits_beside_the_longest_name() -> None:
    name = exportfiles.temporary_name("a" * 250 + ".JPEG")
    assert name.startswith(".sb-")
    assert len(name.encode()) < 40


def test_a_shard_cut_short_after_the_scan_fails_its_members_alone(
    tmp_path: Path, jpeg_bytes: bytes, hierarchy: Hierarchy
) -> None:
    root = tmp_path / "shards"
    root.mkdir()
    for wnid in (GOLDEN, CHIHUAHUA):
        with tarfile.open(root / f"{wnid}.tar", "w") as shard:
            info = tarfile.TarInfo(f"{wnid}_1.JPEG")
            info.size = len(jpeg_bytes)
            shard.addfile(info, io.BytesIO(jpeg_bytes))
    view = open_view(root, hierarchy, tmp_path)
    options = ExportOptions((DOG,), "hardlink")  # members are copied out, whatever the mode
    plan = plan_export(view, options)
    whole = (root / f"{GOLDEN}.tar").read_bytes()
    (root / f"{GOLDEN}.tar").write_bytes(whole[:600])
    out = tmp_path / "out"
    result = run_export(view, options, plan, out)
    assert result == {"copy": 1, "failed": 1}
    assert "shorter than its index says" in result.failed[0][2]
    assert not (out / "all" / GOLDEN).exists()  # no empty class folder left behind
    (root / f"{GOLDEN}.tar").write_bytes(whole)
    assert run_export(view, options, plan, out, resume=True) == {"copy": 2}
