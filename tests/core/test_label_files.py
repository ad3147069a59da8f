"""ImageNet validation layouts whose labels live in a file, and every way such a file goes wrong."""

from __future__ import annotations

from pathlib import Path

from browser.core.dataset.counts import compute_counts
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import DOG, GOLDEN, TENCH, MakeFiles

KIT_FOX = "n02119789"
VAL = [f"ILSVRC2012_val_{n:08d}.JPEG" for n in range(1, 5)]


def labels_by_name(index: DatasetIndex) -> dict[str, str]:
    return {index.name(r): index.hierarchy.wnid(int(index.labels[r])) for r in range(len(index))}


def kaggle_tree(tmp_path: Path, make_files: MakeFiles, csv: str) -> Path:
    """Kaggle's layout: the CSV sits in the top folder, four levels above the flat val folder.
    The top folder is the one to open (returned)."""
    top = tmp_path / "kaggle"
    make_files(top / "ILSVRC/Data/CLS-LOC/val", VAL)
    make_files(top / f"ILSVRC/Data/CLS-LOC/train/{TENCH}", ["t.JPEG"])
    (top / "LOC_val_solution.csv").write_text(csv)
    return top


def test_kaggle_solution_labels_the_flat_val_folder(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    csv = (
        "ImageId,PredictionString\n"
        f"ILSVRC2012_val_00000001,{TENCH} 1 2 3 4 {TENCH} 5 6 7 8\n"
        f"ILSVRC2012_val_00000002,{GOLDEN} 1 2 3 4\n"
        f"ILSVRC2012_val_00000003,{TENCH} 1 2 3 4\n"
        f"ILSVRC2012_val_00000009,{TENCH} 1 2 3 4\n"  # no such image
    )
    top = kaggle_tree(tmp_path, make_files, csv)
    index = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {VAL[0]: TENCH, VAL[1]: GOLDEN, VAL[2]: TENCH, "t.JPEG": TENCH}
    assert index.split_sizes() == {"train": 1, "val": 3}
    (source,) = index.label_sources
    assert source.file.kind == "Kaggle LOC_val_solution.csv"
    assert (source.labelled, source.unlabelled) == (3, 1)
    assert [str(p) for p in source.problems] == [
        f"{top / 'LOC_val_solution.csv'}:5: ILSVRC2012_val_00000009: no such image in "
        "ILSVRC/Data/CLS-LOC/val"
    ]
    (unlabelled,) = index.unmapped()
    assert unlabelled.images == 1
    assert unlabelled.reason.startswith("no label in ")
    counts = compute_counts(index)
    root = hierarchy.root
    assert (counts.images[root], counts.classes[root]) == (4, 2)
    assert counts.images[hierarchy.index(DOG)] == 1


def test_devkit_ids_are_mapped_through_map_clsloc_not_sorted_wnid_order(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    # Devkit ID 1 is kit fox, not the first wnid in sorted order (tench): assuming sorted
    # order would silently mislabel every image.
    root = tmp_path / "imagenet"
    make_files(root / "ILSVRC2012_img_val", VAL[:3])
    devkit = root / "ILSVRC2012_devkit_t12/data"
    devkit.mkdir(parents=True)
    (devkit / "ILSVRC2012_validation_ground_truth.txt").write_text("2\n1\n3\n")
    (devkit / "map_clsloc.txt").write_text(
        f"{KIT_FOX} 1 kit_fox\n{TENCH} 2 tench\n{GOLDEN} 3 golden_retriever\n"
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    # Labelled by the validation ground truth: the val split, whatever the folder is called.
    assert index.split_sizes() == {"val": 3}
    assert labels_by_name(index) == {VAL[0]: TENCH, VAL[1]: KIT_FOX, VAL[2]: GOLDEN}
    assert index.label_sources[0].file.kind == "devkit ILSVRC2012_validation_ground_truth.txt"


def test_devkit_ids_without_a_map_are_reported_and_the_images_kept(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = tmp_path / "imagenet"
    make_files(root / "val", VAL[:2])
    (root / "ILSVRC2012_validation_ground_truth.txt").write_text("1\n2\n")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 0
    assert index.unmapped()[0].images == 2
    (source,) = index.label_sources
    assert "map_clsloc.txt" in source.problems[0].reason


def test_bad_lines_are_reported_with_file_line_and_reason(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    csv = (
        "ImageId,PredictionString\n"
        f"ILSVRC2012_val_00000001,{TENCH} 1 2 3 4\n"
        f"ILSVRC2012_val_00000001,{GOLDEN} 1 2 3 4\n"  # duplicate
        "ILSVRC2012_val_00000002,n99999999 1 2 3 4\n"  # unknown wnid
        f"../../etc/passwd,{TENCH} 1 2 3 4\n"  # a path, not an image id
        "ILSVRC2012_val_00000003,\n"  # no label at all
    )
    top = kaggle_tree(tmp_path, make_files, csv)
    index = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {VAL[0]: TENCH, "t.JPEG": TENCH}
    reasons = {p.line: p.reason for p in index.label_sources[0].problems}
    assert "duplicate image id" in reasons[3]
    assert "unknown wnid 'n99999999'" in reasons[4]
    assert "is a path" in reasons[5]
    assert reasons[6] == "no PredictionString"


def test_a_wrong_header_labels_nothing_and_says_so(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    top = kaggle_tree(tmp_path, make_files, f"id,label\nILSVRC2012_val_00000001,{TENCH}\n")
    index = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 1  # the training image
    assert index.unmapped()[0].images == 4
    (problem,) = index.label_sources[0].problems
    assert problem.line == 1
    assert "expected ImageId,PredictionString" in problem.reason


def test_file_facts_of_labelled_images_are_stored_with_their_folder(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    csv = "ImageId,PredictionString\n" + "".join(
        f"{name[:-5]},{TENCH} 1 2 3 4\n" for name in VAL[1:]
    )
    top = kaggle_tree(tmp_path, make_files, csv)
    index = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache")
    fill_file_facts(index)
    again = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache")
    assert not again.scanned
    assert sorted(labels_by_name(again)) == [*VAL[1:], "t.JPEG"]
    assert (again.sizes > 0).all()
    refreshed = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache", refresh=True)
    assert labels_by_name(refreshed) == labels_by_name(again)


def test_tiny_imagenet_train_folders_and_val_annotations(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = tmp_path / "tiny-imagenet-200"
    make_files(
        root,
        [
            f"train/{TENCH}/images/{TENCH}_0.JPEG",
            f"train/{TENCH}/images/{TENCH}_1.JPEG",
            f"train/{GOLDEN}/images/{GOLDEN}_0.JPEG",
            "val/images/val_0.JPEG",
            "val/images/val_1.JPEG",
            "val/images/val_2.JPEG",
            "test/images/test_0.JPEG",
        ],
    )
    (root / f"train/{TENCH}/{TENCH}_boxes.txt").write_text("")
    (root / "wnids.txt").write_text(f"{TENCH}\n{GOLDEN}\n")
    (root / "val/val_annotations.txt").write_text(
        f"val_0.JPEG\t{GOLDEN}\t0\t0\t10\t10\nval_1.JPEG\t{TENCH}\t0\t0\t10\t10\n"
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {
        f"{TENCH}_0.JPEG": TENCH,
        f"{TENCH}_1.JPEG": TENCH,
        f"{GOLDEN}_0.JPEG": GOLDEN,
        "val_0.JPEG": GOLDEN,
        "val_1.JPEG": TENCH,
    }
    assert index.split_sizes() == {"train": 3, "val": 2}
    assert index.label_sources[0].file.kind == "Tiny ImageNet val_annotations.txt"
    unmapped = {(u.folder, u.images) for u in index.unmapped()}
    assert unmapped == {("val", 1), ("test", 1)}


def test_imagenet_v2_folders_are_class_indices_in_sorted_wnid_order(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    from browser.core.hierarchy.ilsvrc import ilsvrc_wnids

    wnids = ilsvrc_wnids()
    assert len(wnids) == 1000
    assert list(wnids) == sorted(wnids)
    root = make_files(
        tmp_path / "imagenetv2-matched-frequency",
        ["0/a.jpeg", "2/b.jpeg", "100/c.jpeg", "999/d.jpeg"],
    )
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert index.layout == "imagenetv2"
    by_folder = {
        index.relpath(r).split("/")[0]: index.hierarchy.wnid(int(index.labels[r]))
        for r in range(len(index))
    }
    # "100" sorts before "2" as a string; it must still be class 100.
    assert by_folder == {"0": TENCH, "2": wnids[2], "100": wnids[100], "999": wnids[999]}
    assert wnids[0] == TENCH


DATA = Path(__file__).resolve().parents[1] / "data"


def test_meta_mat_is_read_plain_and_compressed() -> None:
    # Both files were written by SciPy's savemat, shaped like the devkit's meta.mat.
    from browser.core.dataset.matfile import devkit_ids, read_mat

    for name in ("meta-plain.mat", "meta-compressed.mat"):
        assert devkit_ids(str(DATA / name)) == {
            1: KIT_FOX,
            2: TENCH,
            3: GOLDEN,
            1001: DOG,
        }
        dog = read_mat(str(DATA / name))["synsets"][3]
        assert dog["words"] == "dog, domestic dog, Canis familiaris"
        assert dog["children"] == [3.0]


def test_devkit_ids_come_from_meta_mat_without_a_map(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    import shutil

    from browser.core.dataset.classids import ClassNumbering

    root = tmp_path / "imagenet"
    make_files(root / "val", VAL[:3])
    data = root / "ILSVRC2012_devkit_t12/data"
    data.mkdir(parents=True)
    shutil.copy(DATA / "meta-compressed.mat", data / "meta.mat")
    (data / "ILSVRC2012_validation_ground_truth.txt").write_text("2\n1\n3\n")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert labels_by_name(index) == {VAL[0]: TENCH, VAL[1]: KIT_FOX, VAL[2]: GOLDEN}
    assert ClassNumbering(index).of(hierarchy.index(GOLDEN)).devkit_id == 3


def test_a_broken_meta_mat_is_reported(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    root = tmp_path / "imagenet"
    make_files(root / "val", VAL[:1])
    (root / "meta.mat").write_bytes((DATA / "meta-plain.mat").read_bytes()[:300])
    (root / "ILSVRC2012_validation_ground_truth.txt").write_text("2\n")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 0
    reasons = [p.reason for p in index.label_sources[0].problems]
    assert any("truncated data element" in r for r in reasons)


def test_images_without_a_label_are_kept_for_showing(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    csv = f"ImageId,PredictionString\nILSVRC2012_val_00000001,{TENCH} 1 2 3 4\n"
    top = kaggle_tree(tmp_path, make_files, csv)
    index = open_dataset(top, hierarchy, cache_dir=tmp_path / "cache")
    unlabelled = index.unlabelled
    assert unlabelled is not None
    assert sorted(unlabelled.name(r) for r in range(len(unlabelled))) == VAL[1:]
    assert unlabelled.reason(0).startswith("no label in ")
    val = top / "ILSVRC/Data/CLS-LOC/val"
    assert unlabelled.path(0) == str(val / unlabelled.name(0))
    # Not counted anywhere in the dataset itself.
    assert compute_counts(index).images[hierarchy.root] == 2
