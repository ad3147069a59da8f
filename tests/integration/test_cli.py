"""The headless CLI, run as a user would: in a subprocess, reading its JSON and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from browser.cli import main as cli
from browser.cli import opening
from browser.core.filenames import has_undecodable, path_from_json
from tests.conftest import MakeFiles

TENCH, GOLDFISH, DOG, GOLDEN = "n01440764", "n01443537", "n02084071", "n02099601"


def run(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(home / "xdg-cache"), "HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "browser", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def run_json(*args: str | Path, home: Path) -> Any:
    done = run(*args, "--json", home=home)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def dataset(tmp_path: Path, make_files: MakeFiles) -> Path:
    return make_files(
        tmp_path / "ds",
        [
            f"train/{TENCH}/a.JPEG",
            f"train/{TENCH}/b.JPEG",
            f"train/{GOLDEN}/c.JPEG",
            f"val/{GOLDEN}/d.JPEG",
            "train/misc/e.jpg",
            "train/notes.txt",
        ],
    )


def test_scan_reports_counts_unmapped_and_skipped(dataset: Path, tmp_path: Path) -> None:
    report = run_json("scan", dataset, "--cache-dir", tmp_path / "c", home=tmp_path)
    assert report["root"] == str(dataset.resolve())
    assert report["images"] == 4
    assert report["classes"] == 2
    assert report["splits"] == {"train": 3, "val": 1}
    assert [(u["folder"], u["images"]) for u in report["unmapped"]] == [("train/misc", 1)]
    assert report["skipped"] == [{"path": "train/notes.txt", "reason": "not an image file"}]
    assert list((tmp_path / "c" / "indexes").iterdir())  # the index went to --cache-dir
    assert not (tmp_path / "xdg-cache").exists()


def test_the_cache_defaults_to_xdg_cache_home(dataset: Path, tmp_path: Path) -> None:
    run_json("scan", dataset, home=tmp_path)
    assert list((tmp_path / "xdg-cache" / "synset-browser" / "indexes").iterdir())


def test_stats_rolls_up_each_asked_synset(dataset: Path, tmp_path: Path) -> None:
    stats = run_json("stats", dataset, DOG, TENCH, home=tmp_path)
    assert stats["images"] == 4
    assert stats["classes"] == 2
    dog, tench = stats["nodes"]
    charts = dog.pop("statistics")
    assert charts["images_per_class"]["max"] == 2  # the golden retrievers, train and val
    assert charts["splits"] == {"train": 1, "val": 1}
    assert dog == {
        "wnid": DOG,
        "name": "dog",
        "images": 2,
        "direct_images": 0,
        "classes": 1,
        "splits": {"train": 1, "val": 1},
    }
    assert tench["images"] == tench["direct_images"] == 2
    default = run_json("stats", dataset, home=tmp_path)
    assert [n["wnid"] for n in default["nodes"]] == ["n00001740"]
    assert default["nodes"][0]["images"] == 4


def test_search_ranks_and_counts_with_a_dataset(dataset: Path, tmp_path: Path) -> None:
    hits = run_json("search", "retriever", "--limit", "5", home=tmp_path)
    assert len(hits) == 5
    assert set(hits[0]) == {"wnid", "name", "lemmas", "gloss"}
    counted = run_json("search", "retriever", "--dataset", dataset, "--limit", "50", home=tmp_path)
    golden = next(h for h in counted if h["wnid"] == GOLDEN)
    assert golden["images"] == 2


def test_info_shows_parents_and_every_path(tmp_path: Path) -> None:
    info = run_json("info", DOG, home=tmp_path)
    assert info["lemmas"] == ["dog", "domestic dog", "Canis familiaris"]
    assert {p["name"] for p in info["parents"]} == {"canine", "domestic animal"}
    assert len(info["hypernym_paths"]) == 2
    assert all(path[0]["wnid"] == "n00001740" for path in info["hypernym_paths"])
    assert info["children"] == 18


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "{missing}"), "no such folder"),
        (("scan", "{file}"), "not a folder"),
        (("stats", "{dataset}", "n123"), "'n123' is not a WordNet 3.0 noun synset id"),
        (("info", "n99999999"), "not a WordNet 3.0 noun synset id"),
        (("scan",), "required: dataset"),
        (("search", "dog", "--limit", "0"), "--limit must be at least 1"),
        (("stats", "{dataset}", "--bogus"), "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: tuple[str, ...], message: str, dataset: Path, tmp_path: Path
) -> None:
    (tmp_path / "file.txt").write_text("x")
    paths = {"missing": tmp_path / "missing", "file": tmp_path / "file.txt", "dataset": dataset}
    done = run(*(a.format(**paths) for a in args), home=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_other_failures_exit_1_without_a_traceback(
    dataset: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # (An unwritable cache folder is no failure: see test_cli_scanning.)
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(opening, "open_dataset", broken)
    assert cli.run(["scan", str(dataset), "--cache-dir", str(tmp_path / "cache")]) == 1
    err = capsys.readouterr().err
    assert err == "synset-browser: error: the disk is on fire\n"


def test_non_utf8_paths_reach_json_unchanged(tmp_path: Path, jpeg_bytes: bytes) -> None:
    root = tmp_path / "odd"
    folder = os.fsencode(root) + f"/{TENCH}".encode()
    os.makedirs(folder)
    with open(folder + b"/\xe9t\xe9.JPEG", "wb") as handle:
        handle.write(jpeg_bytes)
    os.makedirs(os.fsencode(root) + b"/n\xff")
    done = run("scan", root, "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    done.stdout.encode("utf-8")  # valid UTF-8: no lone surrogate escapes through
    report = json.loads(done.stdout)
    assert report["images"] == 1
    (unmapped,) = report["unmapped"]
    assert unmapped["folder"] == "n\ufffd"
    assert os.fsencode(path_from_json(unmapped, "folder")) == b"n\xff"


def test_demo_opens_the_window_on_a_generated_dataset(tmp_path: Path) -> None:
    env_args = ("--cache-dir", tmp_path / "c", "--data-dir", tmp_path / "d", "--exit-after", "0.2")
    done = run("--demo", *env_args, home=tmp_path)
    assert done.returncode == 0, done.stderr
    demo = tmp_path / "c" / "demo-dataset-v1"
    assert json.loads((tmp_path / "d" / "recent.json").read_text()) == [str(demo)]
    stats = run_json("stats", demo, "--cache-dir", tmp_path / "c", home=tmp_path)
    assert stats["classes"] == 33
    assert stats["nodes"][0]["splits"] == {"train": 33 * 12, "val": 33 * 3}
    again = run(
        "--exit-after",
        "0.1",
        "--cache-dir",
        tmp_path / "c",
        "--data-dir",
        tmp_path / "d",
        home=tmp_path,
    )  # no dataset: the last one opens
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [(("{missing}",), "no such folder"), (("--demo", "--select", "n123"), "not a WordNet 3.0")],
)
def test_the_app_refuses_bad_arguments_before_opening_a_window(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    done = run(
        *(a.format(missing=tmp_path / "missing") for a in args),
        "--cache-dir",
        tmp_path / "c",
        home=tmp_path,
    )
    assert done.returncode == 2
    assert message in done.stderr


def test_main_py_and_the_module_are_the_same_program(tmp_path: Path) -> None:
    main = Path(__file__).parents[2] / "main.py"
    done = subprocess.run(
        [sys.executable, str(main), "info", TENCH, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "tench"


def test_a_flat_val_folder_is_labelled_from_the_devkit_in_every_command(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "imagenet",
        [f"train/{TENCH}/a.JPEG", f"train/{GOLDEN}/b.JPEG"]
        + [f"val/ILSVRC2012_val_{n:08d}.JPEG" for n in (1, 2, 3)],
    )
    data = root / "ILSVRC2012_devkit_t12/data"
    data.mkdir(parents=True)
    # Devkit IDs are not sorted-wnid positions: here ID 1 is golden retriever.
    (data / "map_clsloc.txt").write_text(f"{GOLDEN} 1 golden_retriever\n{TENCH} 2 tench\n")
    (data / "ILSVRC2012_validation_ground_truth.txt").write_text("2\n1\n7\n")
    scan = run_json("scan", root, home=tmp_path)
    assert scan["splits"] == {"train": 2, "val": 2}
    (source,) = scan["label_sources"]
    assert (source["folder"], source["labelled"], source["unlabelled"]) == ("val", 2, 1)
    assert source["problems"][0]["line"] == 3
    assert "class ID 7" in source["problems"][0]["reason"]
    stats = run_json("stats", root, TENCH, GOLDEN, home=tmp_path)
    tench, golden = stats["nodes"]
    assert tench["splits"] == {"train": 1, "val": 1}
    assert (tench["class_index"], tench["ilsvrc_index"], tench["devkit_id"]) == (0, 0, 2)
    assert (golden["class_index"], golden["devkit_id"]) == (1, 1)
    text = run("scan", root, home=tmp_path).stdout
    assert "val: 2 images labelled by devkit ILSVRC2012_validation_ground_truth.txt" in text
    assert "class ID 7 is not in map_clsloc.txt" in text


def test_layout_can_be_chosen_and_a_wrong_one_is_a_usage_error(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "numbered", ["0/a.jpeg", "1/b.jpeg"])
    assert run_json("scan", root, home=tmp_path)["layout"] == "imagenetv2"
    plain = run_json("scan", root, "--layout", "wnid-folders", home=tmp_path)
    assert (plain["layout"], plain["images"]) == ("class-folders", 0)
    done = run("scan", root, "--layout", "tiny", home=tmp_path)
    assert done.returncode == 2
    assert "invalid choice: 'tiny'" in done.stderr


def test_stats_and_search_with_the_folder_tree_as_hierarchy(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "taxa",
        ["Animalia/Aves/a.jpg", "Animalia/Aves/b.jpg", "Animalia/Mammalia/c.jpg", "Plantae/d.jpg"],
    )
    stats = run_json("stats", root, "Animalia", "--hierarchy", "folders", home=tmp_path)
    (animalia,) = stats["nodes"]
    assert (animalia["name"], animalia["images"], animalia["classes"]) == ("Animalia", 3, 2)
    whole = run_json("stats", root, "--hierarchy", "folders", home=tmp_path)
    assert whole["nodes"][0]["images"] == 4  # the root: the dataset folder itself
    hits = run_json("search", "mamm", "--dataset", root, "--hierarchy", "folders", home=tmp_path)
    assert hits[0]["wnid"] == "Animalia/Mammalia"
    done = run("stats", root, "--hierarchy", "gbif", home=tmp_path)
    assert done.returncode == 2
    assert "unknown hierarchy 'gbif'" in done.stderr


def test_verdicts_summary_export_and_import(tmp_path: Path, make_files: MakeFiles) -> None:
    from browser.core.review.records import Verdict
    from browser.core.review.verdicts import VerdictStore

    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{TENCH}/b.JPEG", f"{GOLDEN}/c.JPEG"])
    data = tmp_path / "data"
    VerdictStore(data).put(
        str(root),
        [
            Verdict(f"{TENCH}/a.JPEG", TENCH, "wrong_label", "a carp", GOLDFISH, "ann", 10.0),
            Verdict(f"{TENCH}/b.JPEG", TENCH, "correct", "", "", "ann", 10.0),
        ],
    )
    summary = run_json("verdicts", root, "--summary", TENCH, "--data-dir", data, home=tmp_path)
    (tench,) = summary["nodes"]
    assert (tench["images"], tench["reviewed"], tench["error_rate"]) == (2, 2, 0.5)
    assert tench["verdicts"] == {
        "correct": 1,
        "wrong_label": 1,
        "ambiguous": 0,
        "unusable": 0,
        "duplicate": 0,
    }
    assert 0 < tench["ci_low"] < 0.5 < tench["ci_high"] < 1
    out = tmp_path / "verdicts.csv"
    done = run("verdicts", root, "--export", out, "--data-dir", data, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "a carp" in out.read_text()
    assert run("verdicts", root, "--export", out, "--data-dir", data, home=tmp_path).returncode == 2
    report = run_json(
        "verdicts", root, "--import", out, "--data-dir", tmp_path / "other", home=tmp_path
    )
    assert (report["added"], report["conflicts"]) == (2, 0)


def test_export_dry_run_then_export(tmp_path: Path, dataset: Path) -> None:
    out = tmp_path / "exported"
    plan = run_json(
        "export",
        dataset,
        "--node",
        DOG,
        "--out",
        out,
        "--labels",
        "selected",
        "--dry-run",
        home=tmp_path,
    )
    assert (plan["images"], [c["wnid"] for c in plan["classes"]]) == (2, [DOG])
    assert not out.exists()
    done = run_json(
        "export", dataset, "--node", DOG, "--out", out, "--mode", "hardlink", home=tmp_path
    )
    assert done["modes"] == {"hardlink": 2}
    assert (out / "train" / GOLDEN / "c.JPEG").stat().st_nlink == 2  # leaf labels: own class
    again = run("export", dataset, "--node", DOG, "--out", out, home=tmp_path)
    assert again.returncode == 1
    assert "is not empty" in again.stderr


def test_export_refuses_an_output_inside_the_dataset(tmp_path: Path, dataset: Path) -> None:
    done = run("export", dataset, "--node", DOG, "--out", dataset / "exported", home=tmp_path)
    assert done.returncode == 2
    assert "inside the dataset" in done.stderr
    assert not (dataset / "exported").exists()


def test_export_by_verdict_refuses_without_a_readable_verdict_database(
    tmp_path: Path, dataset: Path
) -> None:
    out, typo = tmp_path / "out", tmp_path / "mistyped"
    args = ("export", dataset, "--node", DOG, "--out", out, "--exclude-verdict", "unusable")
    missing = run(*args, "--data-dir", typo, home=tmp_path)
    assert missing.returncode == 2
    assert "no verdict database" in missing.stderr
    assert not typo.exists()  # never made: an empty one would exclude nothing next time
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "verdicts.sqlite").write_bytes(b"not a database" * 100)
    refused = run(*args, "--data-dir", damaged, home=tmp_path)
    assert refused.returncode == 2
    assert "cannot exclude by verdict" in refused.stderr
    assert not out.exists()


def test_export_of_a_split_that_does_not_exist_lists_the_splits(
    tmp_path: Path, dataset: Path
) -> None:
    done = run(
        "export", dataset, "--node", DOG, "--out", tmp_path / "o", "--split", "vall", home=tmp_path
    )
    assert done.returncode == 2
    assert "'vall'" in done.stderr
    assert "train, val" in done.stderr


def test_export_class_indices_hold_across_splits_and_a_split_lacking_classes_warns(
    tmp_path: Path, dataset: Path
) -> None:
    args = ("export", dataset, "--node", TENCH, "--node", GOLDEN, "--split", "val")
    plan = run_json(*args, "--out", tmp_path / "o", "--dry-run", home=tmp_path)
    assert [(c["index"], c["wnid"], c["images"]) for c in plan["classes"]] == [
        (0, TENCH, 0),
        (1, GOLDEN, 1),
    ]
    (warning,) = plan["warnings"]
    assert "ImageFolder" in warning
    done = run(*args, "--out", tmp_path / "o", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning: split val: ImageFolder" in done.stdout
    assert os.listdir(tmp_path / "o" / "val") == [GOLDEN]  # no empty class folder
    described = json.loads((tmp_path / "o" / "export.json").read_text(encoding="utf-8"))
    assert described["imagefolder_to_class_index"] == {"val": [1]}


def test_export_goes_on_past_a_source_that_vanished_and_exits_1(
    tmp_path: Path, make_files: MakeFiles, jpeg_bytes: bytes
) -> None:
    elsewhere = tmp_path / "elsewhere.JPEG"
    elsewhere.write_bytes(jpeg_bytes)
    root = make_files(tmp_path / "ds", [f"{GOLDEN}/a.JPEG", f"{GOLDEN}/c.JPEG"])
    (root / GOLDEN / "b.JPEG").symlink_to(elsewhere)
    assert run_json("scan", root, home=tmp_path)["images"] == 3
    elsewhere.unlink()  # the dataset's folder is unchanged: the index still lists it
    out = tmp_path / "out"
    done = run("export", root, "--node", GOLDEN, "--out", out, "--json", home=tmp_path)
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    assert summary["modes"] == {"copy": 2, "failed": 1}
    (failed,) = summary["failed"]
    assert failed["source"].endswith("b.JPEG")
    assert "No such file" in failed["reason"]
    assert "1 images could not be exported" in done.stderr
    assert sorted(os.listdir(out / "all" / GOLDEN)) == ["a.JPEG", "c.JPEG"]
    elsewhere.write_bytes(jpeg_bytes)
    again = run("export", root, "--node", GOLDEN, "--out", out, "--resume", home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "exported 3 images" in again.stdout
    assert sorted(os.listdir(out / "all" / GOLDEN)) == ["a.JPEG", "b.JPEG", "c.JPEG"]


def test_export_keeps_a_latin1_name_byte_for_byte(tmp_path: Path, jpeg_bytes: bytes) -> None:
    root = tmp_path / "ds"
    folder = os.fsencode(root) + f"/train/{GOLDEN}".encode()
    os.makedirs(folder)
    with open(folder + b"/caf\xe9.JPEG", "wb") as handle:
        handle.write(jpeg_bytes)
    out = tmp_path / "out"
    summary = run_json("export", root, "--node", GOLDEN, "--out", out, home=tmp_path)
    assert summary["modes"] == {"copy": 1}
    assert os.listdir(os.fsencode(out / "train" / GOLDEN)) == [b"caf\xe9.JPEG"]
    with open(os.fsencode(out / "train" / GOLDEN) + b"/caf\xe9.JPEG", "rb") as handle:
        assert handle.read() == jpeg_bytes
    manifest = (out / "manifest.csv").read_bytes()
    assert b"train/" + GOLDEN.encode() + b"/caf\xe9.JPEG," in manifest
    (out / "export.json").read_bytes().decode("utf-8")  # valid UTF-8 throughout


def test_duplicates_lists_an_exact_copy_under_another_label_first(tmp_path: Path) -> None:
    from PIL import Image

    root = tmp_path / "ds"
    for relpath, colour in [
        (f"train/{TENCH}/a.JPEG", (200, 30, 30)),
        (f"val/{GOLDEN}/copy.JPEG", (200, 30, 30)),
    ]:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        picture = Image.new("RGB", (120, 90), colour)
        picture.paste((20, 20, 200), (0, 0, 60, 45))
        picture.save(root / relpath)
    (root / f"train/{GOLDEN}").mkdir(parents=True)
    other = Image.new("RGB", (120, 90), (30, 160, 30))
    other.paste((250, 250, 250), (60, 45, 120, 90))
    other.save(root / f"train/{GOLDEN}/other.JPEG")
    found = run_json("duplicates", root, home=tmp_path)
    assert found["hashed"] == 3
    (group,) = found["groups"]
    assert group["kind"] == "labels"
    assert {image["path"] for image in group["images"]} == {
        f"train/{TENCH}/a.JPEG",
        f"val/{GOLDEN}/copy.JPEG",
    }
    assert run("duplicates", root, "--max-distance", "40", home=tmp_path).returncode == 2


def test_stats_json_carries_pixel_sizes_once_measured(tmp_path: Path) -> None:
    from PIL import Image

    from browser.core.dataset.opening import open_dataset
    from browser.core.hierarchy.wordnet import load_hierarchy
    from browser.core.images.dimensions import dimension_cache_for, read_dimensions

    root = tmp_path / "ds" / GOLDEN
    root.mkdir(parents=True)
    for number in range(2):
        Image.new("RGB", (320, 240)).save(root / f"{number}.JPEG")
    before = run_json("stats", root.parent, GOLDEN, home=tmp_path)
    assert before["nodes"][0]["statistics"]["pixels"] is None
    cache_dir = tmp_path / "xdg-cache" / "synset-browser"
    index = open_dataset(root.parent, load_hierarchy(), cache_dir=cache_dir)
    rows = list(range(len(index)))
    import numpy as np

    read_dimensions(
        index, np.array(rows), dimension_cache_for(index, cache_dir)
    )  # the panel's pass
    after = run_json("stats", root.parent, GOLDEN, home=tmp_path)
    pixels = after["nodes"][0]["statistics"]["pixels"]
    assert sum(map(sum, pixels["counts"])) == 2
    assert "Median size 320 × 240 px" in after["nodes"][0]["statistics"]["captions"]["pixels"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_json_and_text_output_survive_non_utf8_names_in_any_locale(
    tmp_path: Path, jpeg_bytes: bytes
) -> None:
    root = tmp_path / "odd"
    folder = os.fsencode(root) + f"/{TENCH}".encode()
    os.makedirs(folder)
    for name in (b"/a.JPEG", b"/notes\xe9.txt"):
        with open(folder + name, "wb") as handle:
            handle.write(jpeg_bytes)
    done = run("scan", root, "--json", home=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert not any(has_undecodable(s) for s in _strings(report))
    (skipped,) = report["skipped"]
    assert os.fsencode(path_from_json(skipped)).endswith(b"notes\xe9.txt")
    for encoding, shown in [("ascii", b"notes\\udce9.txt"), ("utf-8", b"notes\xe9.txt")]:
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "PYTHONIOENCODING": encoding}
        text = subprocess.run(
            [sys.executable, "-m", "browser", "scan", str(root)],
            capture_output=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert text.returncode == 0, text.stderr  # not a UnicodeEncodeError
        assert shown in text.stdout  # escaped; or, on UTF-8, the bytes as they are (as ls does)


@pytest.mark.parametrize(
    "args",
    [
        ("-v", "--json", "--cache-dir", "{cache}", "stats", "{dataset}"),
        ("stats", "{dataset}", "-v", "--json", "--cache-dir", "{cache}"),
        ("--json", "stats", "{dataset}", "--cache-dir={cache}", "-v"),
        ("--data-dir", "{data}", "--cache-dir", "{cache}", "stats", "{dataset}", "--json"),
    ],
)
def test_global_options_go_before_or_after_the_command(
    args: tuple[str, ...], dataset: Path, tmp_path: Path
) -> None:
    paths = {"cache": tmp_path / "c", "data": tmp_path / "d", "dataset": dataset}
    done = run(*(a.format(**paths) for a in args), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["images"] == 4
    assert list((tmp_path / "c" / "indexes").iterdir())  # --cache-dir was heeded
    if "-v" in args:
        assert "INFO browser.core.dataset.scanner: scanned" in done.stderr  # -v was heeded


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "{dataset}"),
        ("stats", "{dataset}"),
        ("search", "dog", "--dataset", "{dataset}"),
        ("info", DOG),
        ("duplicates", "{dataset}"),
    ],
)
def test_every_command_accepts_data_dir(
    args: tuple[str, ...], dataset: Path, tmp_path: Path
) -> None:
    command = (a.format(dataset=dataset) for a in args)
    done = run(*command, "--data-dir", tmp_path / "d", home=tmp_path)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("sacn", "unknown command 'sacn'; did you mean scan"),
        ("stast", "did you mean stats"),
        ("help", "unknown command 'help'; did you mean synset-browser --help"),
        ("mydata", "'mydata' is neither a command (scan, stats"),
    ],
)
def test_a_mistyped_command_is_not_taken_for_a_missing_folder(
    word: str, message: str, tmp_path: Path
) -> None:
    done = run(word, "--cache-dir", tmp_path / "c", home=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "no such folder" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_existing_folder_named_like_a_command_is_still_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "sacn").mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c"), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "browser", "sacn", "--select", "n123"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    # Got past the folder check to the next argument: the folder was taken as the dataset.
    assert done.returncode == 2
    assert "'n123' is not a WordNet 3.0 noun synset id" in done.stderr


def test_a_search_without_a_match_prints_an_empty_list_and_exits_1(tmp_path: Path) -> None:
    done = run("search", "xyzzyplugh", "--json", home=tmp_path)
    assert (done.returncode, json.loads(done.stdout)) == (1, [])
    text = run("search", "xyzzyplugh", home=tmp_path)
    assert (text.returncode, text.stdout) == (1, "")
    assert "no synset matches 'xyzzyplugh'" in text.stderr


def test_text_output_counts_in_good_english_and_says_what_it_cut(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "ds", [f"{TENCH}/a.JPEG"] + [f"{TENCH}/note{n:02d}.txt" for n in range(25)]
    )
    scan = run("scan", root, home=tmp_path)
    assert scan.returncode == 0, scan.stderr
    assert f"{root.resolve()}: 1 image in 1 class (layout: class-folders)" in scan.stdout
    assert "skipped: 25" in scan.stdout
    assert "  … and 5 more (--json lists all)" in scan.stdout
    assert scan.stdout.count("not an image file") == 20
    stats = run("stats", root, TENCH, home=tmp_path)
    assert "tench (n01440764): 1 image (1 directly) in 1 class;" in stats.stdout
    search = run("search", "tench", "--dataset", root, "--limit", "1", home=tmp_path)
    assert "[1 image]" in search.stdout
    for out in (scan.stdout, stats.stdout, search.stdout):
        assert " 1 images" not in out
        assert " 1 classes" not in out


def test_the_folder_tree_header_and_root_agree_and_the_root_has_no_empty_id(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(
        tmp_path / "taxa",
        ["Animalia/Aves/a.jpg", "Animalia/Aves/b.jpg", "Animalia/Mammalia/c.jpg", "Plantae/d.jpg"],
    )
    stats = run_json("stats", root, "--hierarchy", "folders", home=tmp_path)
    assert stats["classes"] == stats["nodes"][0]["classes"] == 3
    text = run("stats", root, "--hierarchy", "folders", home=tmp_path).stdout
    header, root_line = text.splitlines()[:2]
    assert header.endswith(": 4 images in 3 classes (layout: folders)")
    assert root_line.startswith("taxa: 4 images (0 directly) in 3 classes;")
    assert "()" not in text


def test_the_window_without_a_display_says_how_to_get_one(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env |= {"XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")}
    done = subprocess.run(
        [sys.executable, "-m", "browser", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert "needs a display" in line
    assert "xvfb-run" in line
    assert "QT_QPA_PLATFORM=offscreen" in line
    assert "xcb" not in line.replace("xvfb", "")
    assert not (tmp_path / "c").exists()  # refused before building anything
