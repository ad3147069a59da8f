"""``synset-browser predictions``, ``suspects`` and ``stats --json --model`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from browser.core.hierarchy.dag import Hierarchy
from tests.core.predictions_data import plant, write_images
from tests.integration.test_cli import run, run_json


def test_import_list_suspects_stats_and_remove(
    tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    planted = plant(hierarchy, per_group=2, per_class=10)
    root = write_images(tmp_path / "ds", planted.relpaths, jpeg_bytes)
    data = tmp_path / "data"
    paths = np.array([p.replace("/", "\\") for p in planted.relpaths] + ["train/gone.JPEG"])
    probs = np.vstack([planted.probs, planted.probs[:1]])
    np.savez(tmp_path / "resnet.npz", paths=paths, probs=probs, classes=np.array(planted.classes))
    done = run(
        "predictions", root, "--import", tmp_path / "resnet.npz", "--data-dir", data, home=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "resnet: 60 images stored" in done.stdout
    assert "resnet.npz: index 60: train/gone.JPEG: no such image in the dataset" in done.stdout
    listed = run_json("predictions", root, "--list", "--data-dir", data, home=tmp_path)
    assert [m["name"] for m in listed["models"]] == ["resnet"]

    found = run_json("suspects", root, "--data-dir", data, "--limit", "5", home=tmp_path)
    assert (found["model"], found["method"]) == ("resnet", "cleanlab")
    assert len(found["suspects"]) == 5
    scores = [s["score"] for s in found["suspects"]]
    assert scores == sorted(scores, reverse=True)
    assert set(found["suspects"][0]) == {"path", "wnid", "predicted", "score", "flagged"}
    fish = run_json("suspects", root, "--data-dir", data, "--node", "n02512053", home=tmp_path)
    assert fish["suspects"]
    assert all(s["wnid"] in planted.classes[4:] for s in fish["suspects"])

    stats = run_json(
        "stats", root, "n02084071", "--data-dir", data, "--model", "resnet", home=tmp_path
    )
    entry = stats["nodes"][0]["predictions"]
    assert entry["model"] == "resnet"
    assert entry["images"] == stats["nodes"][0]["images"]
    assert set(entry) >= {"top1", "top5", "mistake_severity", "suspects"}

    done = run("predictions", root, "--remove", "resnet", "--data-dir", data, home=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run("suspects", root, "--data-dir", data, home=tmp_path)
    assert done.returncode == 1
    assert "no predictions imported" in done.stderr


def test_a_file_that_is_not_predictions_is_one_line_and_status_1(
    tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    root = write_images(tmp_path / "ds", ["n01440764/a.JPEG"], jpeg_bytes)
    (tmp_path / "p.csv").write_text("name,label\n", encoding="utf-8")
    done = run(
        "predictions",
        root,
        "--import",
        tmp_path / "p.csv",
        "--data-dir",
        tmp_path / "d",
        home=tmp_path,
    )
    assert done.returncode == 1
    assert "p.csv: the header must name 'path'" in done.stderr
    assert "Traceback" not in done.stderr


def test_stats_entries_are_unchanged_without_predictions(
    tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    root = write_images(tmp_path / "ds", ["n01440764/a.JPEG"], jpeg_bytes)
    stats = run_json("stats", root, "--data-dir", tmp_path / "d", home=tmp_path)
    assert "predictions" not in stats["nodes"][0]
    done = run("stats", root, "--json", "--model", "x", "--data-dir", tmp_path / "d", home=tmp_path)
    assert done.returncode == 1
    assert "no model 'x'" in done.stderr
