"""Label files as users have them: written by Excel (a BOM), damaged by one stray quote, kept
above the folder opened, or linked in from elsewhere. The dataset opens; bad lines are reported
with their numbers; nothing outside the dataset folder is read unless the user names it."""

from __future__ import annotations

import json
from pathlib import Path

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.labelfiles import OUTSIDE_ROOT
from browser.core.dataset.opening import open_dataset
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import GOLDEN, TENCH, MakeFiles

VAL = [f"ILSVRC2012_val_{n:08d}.JPEG" for n in range(1, 5)]
HEADER = "ImageId,PredictionString\n"


def labels_by_name(index: DatasetIndex) -> dict[str, str]:
    return {index.name(r): index.hierarchy.wnid(int(index.labels[r])) for r in range(len(index))}


def flat_val(tmp_path: Path, make_files: MakeFiles) -> Path:
    return make_files(tmp_path / "imagenet", [f"val/{name}" for name in VAL])


def test_a_csv_written_by_excel_with_a_bom_is_read(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = flat_val(tmp_path, make_files)
    text = HEADER + f"ILSVRC2012_val_00000001,{TENCH} 1 2 3 4\r\n"
    (root / "LOC_val_solution.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {VAL[0]: TENCH}
    assert index.label_sources[0].problems == []


def test_devkit_files_with_a_bom_are_read(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = flat_val(tmp_path, make_files)
    bom = b"\xef\xbb\xbf"
    (root / "ILSVRC2012_validation_ground_truth.txt").write_bytes(bom + b"2\n1\n")
    (root / "map_clsloc.txt").write_bytes(bom + f"{GOLDEN} 1 golden\n{TENCH} 2 tench\n".encode())
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {VAL[0]: TENCH, VAL[1]: GOLDEN}
    assert index.label_sources[0].problems == []


def test_one_stray_quote_costs_one_line_not_the_file(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(
        tmp_path / "imagenet", [f"val/ILSVRC2012_val_{n:08d}.JPEG" for n in range(1, 5001)]
    )
    rows = [f"ILSVRC2012_val_{n:08d},{TENCH} 1 2 3 4 {TENCH} 5 6 7 8\n" for n in range(1, 5001)]
    rows[1] = f'ILSVRC2012_val_00000002,"{GOLDEN} 1 2 3 4\n'  # an opening quote, never closed
    text = HEADER + "".join(rows)
    assert len(text) > 131072  # more than csv's field limit after the stray quote
    (root / "LOC_val_solution.csv").write_text(text)
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 4999
    assert index.split_sizes() == {"val": 4999}
    (source,) = index.label_sources
    bad = [p for p in source.problems if p.line == 3]
    assert len(bad) == 1
    assert "not a CSV line" in bad[0].reason
    assert source.unlabelled == 1


def test_label_files_above_the_opened_folder_are_not_read(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = flat_val(tmp_path, make_files)
    (tmp_path / "LOC_val_solution.csv").write_text(HEADER + f"ILSVRC2012_val_00000001,{TENCH}\n")
    (tmp_path / "real.json").write_text(json.dumps([[0]]))
    index = open_dataset(root / "val", hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 0
    assert index.label_sources == []
    assert index.real is None
    assert index.unmapped()[0].images == 4
    # Opening the folder that holds the file (as with Kaggle's top folder) uses it.
    (tmp_path / "LOC_val_solution.csv").rename(root / "LOC_val_solution.csv")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {VAL[0]: TENCH}


def test_a_label_file_linked_from_outside_is_refused_unread(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = flat_val(tmp_path, make_files)
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("password=hunter2\n" + f"ILSVRC2012_val_00000001,{TENCH}\n")
    (root / "LOC_val_solution.csv").symlink_to(secret)
    (root / "real.json").symlink_to(secret)
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 0
    (source,) = index.label_sources
    assert [(p.file, p.line, p.reason) for p in source.problems] == [
        (str(root / "LOC_val_solution.csv"), 0, OUTSIDE_ROOT)
    ]
    assert index.real is not None
    assert [p.reason for p in index.real.problems] == [OUTSIDE_ROOT]
    reported = repr([str(p) for p in source.problems + index.real.problems])
    assert "hunter2" not in reported


def test_tiny_annotations_with_a_bom_are_read(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "tiny", [f"train/{TENCH}/images/t.JPEG", "val/images/v.JPEG"])
    (root / "val/val_annotations.txt").write_bytes(
        b"\xef\xbb\xbf" + f"v.JPEG\t{GOLDEN}\t0\t0\t1\t1\n".encode()
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {"t.JPEG": TENCH, "v.JPEG": GOLDEN}


def test_a_flat_val_folder_labelled_by_a_val_file_is_the_val_split(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    # ILSVRC2012_img_val/ as the official archive extracts, with the devkit beside it.
    root = make_files(tmp_path / "ILSVRC2012_img_val", VAL[:2])
    (root / "LOC_val_solution.csv").write_text(
        HEADER + f"ILSVRC2012_val_00000001,{TENCH}\nILSVRC2012_val_00000002,{GOLDEN}\n"
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert index.split_sizes() == {"val": 2}


def test_label_files_the_user_names_are_read_wherever_they_are(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    val = make_files(tmp_path / "ILSVRC/Data/CLS-LOC/val", VAL[:2])
    kaggle = tmp_path / "LOC_val_solution.csv"
    kaggle.write_text(HEADER + f"ILSVRC2012_val_00000001,{TENCH}\n")
    real = tmp_path / "real.json"
    real.write_text(json.dumps([[1], []]))
    index = open_dataset(
        val, hierarchy, cache_dir=tmp_path / "cache", label_files=[str(kaggle), str(real)]
    )
    assert labels_by_name(index) == {VAL[0]: TENCH}
    assert index.split_sizes() == {"val": 1}
    assert index.real is not None
    assert index.real.path == str(real)
    assert len(index.real.rows) == 1


def test_a_named_devkit_ground_truth_uses_the_named_map(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = make_files(tmp_path / "ILSVRC2012_img_val", VAL[:2])
    data = tmp_path / "devkit/data"
    data.mkdir(parents=True)
    (data / "ILSVRC2012_validation_ground_truth.txt").write_text("2\n1\n")
    (data / "map_clsloc.txt").write_text(f"{GOLDEN} 1 golden\n{TENCH} 2 tench\n")
    alone = open_dataset(
        root,
        hierarchy,
        cache_dir=tmp_path / "cache",
        label_files=[str(data / "ILSVRC2012_validation_ground_truth.txt")],
    )
    assert len(alone) == 0
    assert "map_clsloc.txt" in alone.label_sources[0].problems[0].reason
    both = open_dataset(
        root,
        hierarchy,
        cache_dir=tmp_path / "cache",
        label_files=[
            str(data / n) for n in ("ILSVRC2012_validation_ground_truth.txt", "map_clsloc.txt")
        ],
    )
    assert labels_by_name(both) == {VAL[0]: TENCH, VAL[1]: GOLDEN}
    assert both.split_sizes() == {"val": 2}


def test_a_named_file_that_labels_nothing_says_so(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = flat_val(tmp_path, make_files)
    other = tmp_path / "other.csv"
    other.write_text(HEADER + f"somebody_else_01,{TENCH}\n")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache", label_files=[str(other)])
    (source,) = index.label_sources
    assert source.labelled == 0
    assert "labels none of the dataset's images" in source.problems[-1].reason
