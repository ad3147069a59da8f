"""The CLI on datasets and caches as users have them: a read-only cache, a forced layout."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeFiles
from tests.integration.test_cli import run, run_json


def test_a_read_only_cache_is_said_once_and_the_command_works(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", ["n01440764/a.JPEG", "n01443537/b.JPEG"])
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    done = run("scan", root, "--cache-dir", blocker / "cache", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 images in 2 classes" in done.stdout
    assert done.stderr.count("the index cannot be saved") == 1
    assert "Errno" not in done.stderr
    stats = run("stats", root, "--cache-dir", blocker / "cache", home=tmp_path)
    assert stats.returncode == 0, stats.stderr
    assert stats.stderr.count("the index cannot be saved") == 1


def test_imagenet_v2_as_extracted_with_its_layout_forced_is_read_once_quietly(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "v2",
        [f"imagenetv2-{v}-format-val/7/a.jpeg" for v in ("matched-frequency", "top-images")],
    )
    first = run_json("scan", root, "--layout", "imagenetv2", home=tmp_path)
    assert (first["layout"], first["images"]) == ("imagenetv2", 2)
    assert first["splits"] == {"matched-frequency": 1, "top-images": 1}
    again = run("stats", root, "--layout", "imagenetv2", home=tmp_path)
    assert again.returncode == 0
    assert again.stderr == ""
    wrong = run(
        "scan",
        make_files(tmp_path / "wnids", ["n01440764/a.JPEG"]),
        "--layout",
        "imagenetv2",
        home=tmp_path,
    )
    assert wrong.returncode == 2
    assert "needs folders 0 … 999" in wrong.stderr


def test_a_label_file_outside_the_dataset_is_used_when_named(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    val = make_files(tmp_path / "ILSVRC/Data/CLS-LOC/val", ["ILSVRC2012_val_00000001.JPEG"])
    csv = tmp_path / "LOC_val_solution.csv"
    csv.write_text("ImageId,PredictionString\nILSVRC2012_val_00000001,n01440764 1 2 3 4\n")
    assert run_json("scan", val, home=tmp_path)["images"] == 0  # never read unasked
    named = run_json("stats", val, "--label-file", csv, home=tmp_path)
    assert named["images"] == 1
    assert named["label_sources"][0]["file"] == str(csv)
