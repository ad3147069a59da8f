"""``synset-browser verdicts`` as a user runs it: same-named datasets kept apart and told so,
a moved dataset taken over with ``--same-as``, rows naming unknown images counted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import MakeFiles
from tests.core.test_identity import write_schema_1
from tests.integration.test_cli import GOLDEN, TENCH, run, run_json

WHEN = "2026-01-01T00:00:00+00:00"


def _line(path: str, verdict: str) -> str:
    return json.dumps({"path": path, "wnid": TENCH, "verdict": verdict, "time": WHEN})


def test_same_named_datasets_are_kept_apart_and_a_copy_can_take_the_verdicts(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    data = tmp_path / "data"
    write_schema_1(data)  # verdicts of a dataset named "val", from before dataset keys
    first = make_files(tmp_path / "a" / "val", [f"{TENCH}/x.JPEG", f"{TENCH}/y.JPEG"])
    second = make_files(tmp_path / "b" / "val", [f"{TENCH}/x.JPEG", f"{GOLDEN}/g.JPEG"])
    done = run("verdicts", first, "--summary", TENCH, "--data-dir", data, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 verdicts kept under the folder name 'val'" in done.stderr
    assert "2/2 reviewed" in done.stdout
    done = run("verdicts", second, "--summary", TENCH, "--data-dir", data, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"went to {first}" in done.stderr  # made visible, not shared
    assert "0/1 reviewed" in done.stdout
    done = run("verdicts", second, "--same-as", first, "--data-dir", data, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"verdicts of {first} carried over" in done.stderr
    summary = run_json("verdicts", second, "--summary", TENCH, "--data-dir", data, home=tmp_path)
    # y.JPEG is not in this dataset: its verdict is kept but not counted.
    assert (summary["nodes"][0]["reviewed"], summary["unknown_images"]) == (1, 1)
    done = run(
        "verdicts", second, "--same-as", tmp_path / "nowhere", "--data-dir", data, home=tmp_path
    )
    assert done.returncode == 2
    assert "no verdicts are kept for a dataset at" in done.stderr


def test_import_says_how_many_rows_name_unknown_images_and_which_lines_are_bad(
    tmp_path: Path, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG"])
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                _line(f"{TENCH}/a.JPEG", "correct"),
                _line(f"{TENCH}/b.JPEG", "meh"),
                _line(f"{TENCH}/gone.JPEG", "correct"),
            ]
        )
        + "\n"
    )
    data = tmp_path / "data"
    report = run_json("verdicts", root, "--import", source, "--data-dir", data, home=tmp_path)
    assert (report["added"], report["unknown_images"]) == (2, 1)
    assert report["problems"] == [f"{source}:2: unknown verdict 'meh'"]
