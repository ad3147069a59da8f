"""Exports: modes, hierarchy-aware labels, sampling, verdicts, safety, resume."""

from __future__ import annotations

import csv
import errno
import json
import os
from pathlib import Path

import pytest

from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.export import files as exportfiles
from browser.core.export.names import safe_name
from browser.core.export.plan import ExportError, ExportOptions, plan_export
from browser.core.export.run import run_export
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.records import Verdict
from tests.conftest import DOG, GOLDEN, TABBY, TENCH, MakeFiles

CHIHUAHUA = "n02085620"


@pytest.fixture
def view(tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy) -> DatasetView:
    root = make_files(
        tmp_path / "ds",
        [f"train/{GOLDEN}/g{i}.JPEG" for i in range(3)]
        + [f"train/{CHIHUAHUA}/c{i}.JPEG" for i in range(2)]
        + [f"train/{DOG}/d0.JPEG", f"val/{GOLDEN}/g0.JPEG", f"train/{TABBY}/t0.JPEG"]
        + [f"train/{TENCH}/f0.JPEG"],
    )
    return DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))


def manifest(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_leaf_labels_copy_into_an_imagefolder_tree_with_manifests(
    view: DatasetView, tmp_path: Path
) -> None:
    options = ExportOptions((DOG,), "copy")
    out = tmp_path / "out"
    modes = run_export(view, options, plan_export(view, options), out)
    assert modes == {"copy": 7}
    outputs = sorted(row["output"] for row in manifest(out))
    assert f"train/{GOLDEN}/g0.JPEG" in outputs
    assert f"val/{GOLDEN}/g0.JPEG" in outputs  # same name, another split: no clash
    assert f"train/{DOG}/d0.JPEG" in outputs
    assert all((out / o).is_file() for o in outputs)
    classes = (out / "classes.txt").read_text().splitlines()
    assert [line.split("\t")[1] for line in classes] == sorted([DOG, GOLDEN, CHIHUAHUA])
    described = json.loads((out / "export.json").read_text())
    assert described["images"] == 7
    assert described["options"]["nodes"] == [DOG]
    assert described["app_version"]
    assert described["started"] > 0


def test_selected_labels_collapse_and_the_more_specific_selection_wins(
    view: DatasetView, tmp_path: Path
) -> None:
    options = ExportOptions((DOG, GOLDEN, TABBY), "none", labels="selected")
    plan = plan_export(view, options)
    by_class = {wnid: n for wnid, (n, _) in plan.per_class().items()}
    assert by_class == {GOLDEN: 4, DOG: 3, TABBY: 1}  # chihuahuas and the dog go to dog
    assert plan.overlapping == 4  # the golden retrievers were under dog too
    run_export(view, options, plan, tmp_path / "m")
    assert sorted(os.listdir(tmp_path / "m")) == ["classes.txt", "export.json", "manifest.csv"]
    assert {row["mode"] for row in manifest(tmp_path / "m")} == {"none"}


def test_samples_are_reproducible_and_verdicts_exclude(view: DatasetView) -> None:
    sample = ExportOptions((DOG,), "none", per_class=1, seed=7)
    first = [p.source for p in plan_export(view, sample).files]
    assert first == [p.source for p in plan_export(view, sample).files]
    assert len(first) == 3  # one per class
    excluded = ExportOptions((GOLDEN,), "none", exclude_verdicts=("wrong_label", "unusable"))
    verdicts = {
        f"train/{GOLDEN}/g1.JPEG": Verdict(f"train/{GOLDEN}/g1.JPEG", GOLDEN, "wrong_label"),
        f"train/{GOLDEN}/g2.JPEG": Verdict(f"train/{GOLDEN}/g2.JPEG", GOLDEN, "correct"),
    }
    plan = plan_export(view, excluded, verdicts)
    assert plan.excluded_by_verdict == 1
    assert len(plan.files) == 3


def test_hardlinks_fall_back_to_copies_across_devices(
    view: DatasetView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = os.link
    calls = []

    def cross_device(source: str, target: Path) -> None:
        calls.append(source)
        if len(calls) % 2:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(source, target)

    monkeypatch.setattr(exportfiles.os, "link", cross_device)
    options = ExportOptions((GOLDEN,), "hardlink", splits=("train",))
    out = tmp_path / "out"
    modes = run_export(view, options, plan_export(view, options), out)
    assert modes == {"copy": 2, "hardlink": 1}
    assert sorted(row["mode"] for row in manifest(out)) == ["copy", "copy", "hardlink"]


def test_symlinks_are_absolute_and_resolve(view: DatasetView, tmp_path: Path) -> None:
    options = ExportOptions((TABBY,), "symlink")
    out = tmp_path / "out"
    run_export(view, options, plan_export(view, options), out)
    link = out / f"train/{TABBY}/t0.JPEG"
    assert link.is_symlink()
    assert os.path.isabs(os.readlink(link))
    assert link.resolve() == Path(view.index.root, f"train/{TABBY}/t0.JPEG").resolve()


def test_nothing_is_overwritten_and_an_interrupted_export_resumes_to_the_same_result(
    view: DatasetView, tmp_path: Path
) -> None:
    options = ExportOptions((DOG,), "copy")
    plan = plan_export(view, options)
    clean = tmp_path / "clean"
    run_export(view, options, plan, clean)
    with pytest.raises(ExportError, match="not empty"):
        run_export(view, options, plan, clean)
    interrupted = tmp_path / "interrupted"
    done = []
    with pytest.raises(ExportError, match="cancelled"):
        run_export(
            view,
            options,
            plan,
            interrupted,
            progress=lambda n, total: done.append(n),
            cancelled=lambda: len(list(interrupted.rglob("*.JPEG"))) >= 3,
        )
    assert not (interrupted / "manifest.csv").exists()
    # A copy cut off by a crash
    crashed = interrupted / f"train/{GOLDEN}" / exportfiles.temporary_name("g2.JPEG")
    crashed.parent.mkdir(parents=True, exist_ok=True)
    crashed.write_bytes(b"half a file")
    run_export(view, options, plan, interrupted, resume=True)
    assert manifest(interrupted) == manifest(clean)
    files = sorted(p.relative_to(interrupted) for p in interrupted.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(clean) for p in clean.rglob("*") if p.is_file())
    other = ExportOptions((TABBY,), "copy")
    with pytest.raises(ExportError, match="different export"):
        run_export(view, other, plan_export(view, other), interrupted, resume=True)


def test_hostile_names_are_made_safe_and_collisions_get_distinct_names(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    assert safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_name('a<b>:c"d|e?f*\x01') == "a_b__c_d_e_f__"
    assert safe_name("..") == "_"
    root = make_files(
        tmp_path / "ds", [f"{GOLDEN}/a/x.JPEG", f"{GOLDEN}/b/x.JPEG", f"{GOLDEN}/c/x.JPEG"]
    )
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    options = ExportOptions((GOLDEN,), "copy", name_style="wnid_name")
    plan = plan_export(view, options)
    outputs = [p.output for p in plan.files]
    folder = f"all/{GOLDEN}_golden retriever"
    assert outputs == [f"{folder}/x.JPEG", f"{folder}/x~2.JPEG", f"{folder}/x~3.JPEG"]
    assert plan.renamed == 2
    run_export(view, options, plan, tmp_path / "out")
    assert len(list((tmp_path / "out" / folder).iterdir())) == 3


def test_a_dry_run_plan_writes_nothing(view: DatasetView, tmp_path: Path) -> None:
    plan = plan_export(view, ExportOptions((DOG,), "copy"))
    assert len(plan.files) == 7
    assert not (tmp_path / "never").exists()
    with pytest.raises(ExportError, match="n99999999"):
        plan_export(view, ExportOptions(("n99999999",)))


def test_a_full_disk_stops_with_a_clear_message_and_resume_finishes(
    view: DatasetView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ExportOptions((DOG,), "copy")
    plan = plan_export(view, options)
    real_copy = exportfiles.copy_image
    written: list[str] = []

    def fills_up(source: str, dest: str) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", dest)
        written.append(dest)
        real_copy(source, dest)

    monkeypatch.setattr(exportfiles, "copy_image", fills_up)
    out = tmp_path / "out"
    with pytest.raises(ExportError, match="No space left on device; --resume continues"):
        run_export(view, options, plan, out)
    monkeypatch.setattr(exportfiles, "copy_image", real_copy)
    assert run_export(view, options, plan, out, resume=True) == {"copy": 7}
    assert len(manifest(out)) == 7


def test_relative_symlinks_resolve_from_their_own_folder(
    view: DatasetView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative link must not depend on where we run
    options = ExportOptions((TABBY,), "symlink", relative_links=True)
    out = tmp_path / "deep" / "out"
    run_export(view, options, plan_export(view, options), out)
    link = out / f"train/{TABBY}/t0.JPEG"
    assert not os.path.isabs(os.readlink(link))
    assert link.resolve() == Path(view.index.root, f"train/{TABBY}/t0.JPEG").resolve()


def test_chosen_images_are_exported_alone(view: DatasetView, tmp_path: Path) -> None:
    chosen = (f"train/{GOLDEN}/g1.JPEG", f"train/{TABBY}/t0.JPEG", "not/there.JPEG")
    plan = plan_export(view, ExportOptions((), "none", images=chosen))
    assert sorted(view.index.relpath(p.row) for p in plan.files) == sorted(chosen[:2])


def test_duplicates_can_be_left_out_keeping_the_first_by_path(view: DatasetView) -> None:
    index = view.index
    row_of = {index.relpath(r): r for r in range(len(index))}
    group = (row_of[f"val/{GOLDEN}/g0.JPEG"], row_of[f"train/{GOLDEN}/g0.JPEG"])
    options = ExportOptions((GOLDEN,), "none", exclude_duplicates=True)
    plan = plan_export(view, options, duplicate_groups=[group])
    assert plan.excluded_as_duplicates == 1
    kept = {index.relpath(p.row) for p in plan.files}
    assert f"train/{GOLDEN}/g0.JPEG" in kept  # the first of the two by path
    assert f"val/{GOLDEN}/g0.JPEG" not in kept
