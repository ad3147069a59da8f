"""A hostile corpus through every command: scan → stats → export → verdicts → duplicates.

One dataset holds what careless and hostile users produce: a link that loops back up and one
to ``/`` inside a class folder, a latin-1 file name, same-named files (also differing only by
case), an exact copy under another label, a PNG that declares 30,000 × 30,000 pixels, and
Kaggle's validation labels with a byte-order mark and a stray quote. Every answer is exact.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

TENCH, GOLDEN, ENTITY = "n01440764", "n02099601", "n00001740"
TOP = "ILSVRC/Data/CLS-LOC"
CAFE = os.fsdecode(f"{TOP}/train/{TENCH}/".encode() + b"caf\xe9.JPEG")


def noise_jpeg(seed: int) -> bytes:
    """A picture of its own (flat colours would all share one perceptual hash)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).resize((128, 96)).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A 77-byte PNG whose header claims ``width`` × ``height`` (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def put(root: Path, relpath: str, data: bytes) -> None:
    path = Path(os.fsdecode(os.fsencode(root) + b"/" + os.fsencode(relpath)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    tench, golden = f"{TOP}/train/{TENCH}", f"{TOP}/train/{GOLDEN}"
    for seed, name in enumerate(["a/x.JPEG", "b/x.JPEG", "c/x~2.JPEG", "c/X.jpeg"]):
        put(root, f"{tench}/{name}", noise_jpeg(seed))
    put(root, CAFE, noise_jpeg(10))
    os.symlink("..", root / tench / "loop")
    os.symlink("/", root / tench / "everything")
    put(root, f"{golden}/g0.JPEG", noise_jpeg(20))
    put(root, f"{golden}/copy.JPEG", noise_jpeg(0))  # a/x.JPEG under another label
    put(root, f"{golden}/huge.png", png_declaring(30000, 30000))
    for i in (1, 2, 3):
        put(root, f"{TOP}/val/ILSVRC2012_val_{i:08d}.JPEG", noise_jpeg(30 + i))
    (root / "LOC_val_solution.csv").write_bytes(
        b"\xef\xbb\xbfImageId,PredictionString\n"
        b"ILSVRC2012_val_00000001,n01440764 1 2 3 4\n"
        b'ILSVRC2012_val_00000002,"n02099601 1 2 3 4\n'
        b"ILSVRC2012_val_00000003,n02099601 1 2 3 4\n"
    )
    return root


def cli(home: Path, *args: str | Path, status: int = 0) -> Any:
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    env["XDG_DATA_HOME"] = str(home / "data")
    done = subprocess.run(
        [sys.executable, "-m", "browser", *map(str, args), "--json"],
        capture_output=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == status, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout.decode("utf-8"))  # valid UTF-8, whatever the names


def exact_path(record: dict[str, Any]) -> str:
    raw = record.get("path_bytes")
    return os.fsdecode(base64.b64decode(raw)) if raw else record["path"]


def test_a_hostile_corpus_goes_through_every_command_exactly(corpus: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"

    scan = cli(home, "scan", corpus)
    assert scan["images"] == 10  # 5 tench + 3 golden in train, 2 labelled val images
    assert scan["splits"] == {"train": 8, "val": 2}
    reasons = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in scan["skipped"]}
    assert set(reasons) == {"loop", "everything"}  # neither link is followed
    assert all("not followed" in reason for reason in reasons.values())
    (source,) = scan["label_sources"]
    assert (source["labelled"], source["unlabelled"]) == (2, 1)
    assert [problem["line"] for problem in source["problems"]] == [3]  # the stray quote

    stats = cli(home, "stats", corpus, ENTITY, TENCH)
    entity, tench = stats["nodes"]
    assert (entity["images"], entity["classes"]) == (10, 2)
    assert tench["splits"] == {"train": 5, "val": 1}

    out = tmp_path / "out"
    export = cli(home, "export", corpus, "--node", ENTITY, "--out", out)
    assert export["modes"] == {"copy": 10}
    assert not export["failed"]
    with open(out / "manifest.csv", newline="", encoding="utf-8", errors="surrogateescape") as f:
        rows = list(csv.DictReader(f))
    outputs = [row["output"] for row in rows]
    assert len(outputs) == 10
    assert len({name.casefold() for name in outputs}) == 10  # unique, even ignoring case
    sources = {row["source"] for row in rows}
    assert len(sources) == 10  # every image exported once: none lost to a clash
    for row in rows:  # each output holds its own source's bytes
        assert (out / row["output"]).read_bytes() == Path(row["source"]).read_bytes()
    assert os.fsencode(f"train/{TENCH}/") + b"caf\xe9.JPEG" in {
        os.fsencode(name) for name in outputs
    }

    verdict_file = tmp_path / "verdicts.csv"
    tench = f"{TOP}/train/{TENCH}"
    verdict_file.write_bytes(
        b"path,wnid,verdict,note,proposed_wnid,user,time\n"
        + os.fsencode(CAFE)
        + b',n01440764,wrong_label,"a ""quoted"" note",n02099601,ann,2026-11-01T10:00:00Z\n'
        + f"{tench}/a/x.JPEG,{TENCH},correct,,,ann,2026-11-01T10:00:00Z\n".encode()
        + f"{tench}/a/x.JPEG,{TENCH},wrong_label,,,bob,2026-10-01T10:00:00Z\n".encode()
        + f"not/in/the/dataset.JPEG,{TENCH},correct,,,ann,2026-11-01T10:00:00Z\n".encode()
        + f"{tench}/b/x.JPEG,{TENCH},maybe,,,ann,2026-11-01T10:00:00Z\n".encode()
    )
    imported = cli(home, "verdicts", corpus, "--import", verdict_file)
    assert imported["unknown_images"] == 1
    assert imported["superseded_in_file"] == 1  # bob's older row loses, though it comes later
    assert [p.split(":")[1] for p in imported["problems"]] == ["6"]  # 'maybe', by line
    (summary,) = cli(home, "verdicts", corpus, "--summary", ENTITY)["nodes"]
    assert summary["reviewed"] == 2  # the image outside the dataset is not counted
    assert summary["verdicts"]["correct"] == summary["verdicts"]["wrong_label"] == 1
    round_trip = tmp_path / "again.csv"
    cli(home, "verdicts", corpus, "--export", round_trip)
    assert os.fsencode(CAFE) in round_trip.read_bytes()  # the name's own bytes

    kept = cli(
        home,
        "export",
        corpus,
        "--node",
        ENTITY,
        "--out",
        tmp_path / "out2",
        "--exclude-verdict",
        "wrong_label",
        "--mode",
        "none",
    )
    assert kept["excluded_by_verdict"] == 1
    assert [c["index"] for c in kept["classes"]] == [0, 1]  # indices unchanged by the filter

    duplicates = cli(home, "duplicates", corpus)
    (group,) = [g for g in duplicates["groups"] if len(g["images"]) > 1]
    assert {exact_path(image) for image in group["images"]} == {
        f"{TOP}/train/{TENCH}/a/x.JPEG",
        f"{TOP}/train/{GOLDEN}/copy.JPEG",
    }
    assert {image["wnid"] for image in group["images"]} == {TENCH, GOLDEN}
