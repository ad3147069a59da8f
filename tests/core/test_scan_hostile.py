"""Nothing on disk stops a scan: loops, bad links, unreadable or vanishing things, odd names."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.core.dataset import layouts, scanner
from browser.core.dataset.index import VANISHED
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.statpass import fill_file_facts
from browser.core.hierarchy.dag import Hierarchy
from tests.conftest import MakeFiles

TENCH, GOLDFISH = "n01440764", "n01443537"


def reasons(index: object) -> dict[str, str]:
    return {s.path: s.reason for s in index.skipped()}  # type: ignore[attr-defined]


def test_symlink_loops_and_self_links_are_skipped(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{TENCH}/sub/b.JPEG"])
    os.symlink("..", root / TENCH / "sub" / "up")  # a loop back to the class folder
    os.symlink("self.jpg", root / TENCH / "self.jpg")  # a link to itself
    os.symlink("missing.jpg", root / TENCH / "dangling.jpg")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert sorted(index.relpath(r) for r in range(len(index))) == [
        f"{TENCH}/a.JPEG",
        f"{TENCH}/sub/b.JPEG",
    ]
    found = reasons(index)
    assert "symlink loop" in found[f"{TENCH}/sub/up"]
    assert found[f"{TENCH}/self.jpg"] == "symlink loop"
    assert found[f"{TENCH}/dangling.jpg"] == "broken symlink"


def test_symlinked_class_folders_and_files_are_followed(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    elsewhere = make_files(tmp_path / "elsewhere", ["x.JPEG", "y.JPEG"])
    root = make_files(tmp_path / "ds", [f"{GOLDFISH}/g.JPEG"])
    os.symlink(elsewhere, root / TENCH)
    os.symlink(elsewhere / "x.JPEG", root / GOLDFISH / "linked.JPEG")
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 4


def test_unreadable_and_vanishing_folders_are_recorded(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_files(
        tmp_path / "ds",
        [f"{TENCH}/a.JPEG", f"{TENCH}/locked/b.JPEG", f"{TENCH}/gone/c.JPEG", f"{GOLDFISH}/d.JPEG"],
    )
    real_scandir = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        # Tests run as root in CI, where chmod 000 does not stop reads; fail like the kernel would.
        if path.endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        if path.endswith("gone"):
            raise FileNotFoundError(2, "No such file or directory", path)
        return real_scandir(path)

    monkeypatch.setattr(scanner.os, "scandir", scandir)
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 2
    found = reasons(index)
    assert found[f"{TENCH}/locked"] == "permission denied"
    assert found[f"{TENCH}/gone"] == "vanished during scan"


def test_an_unreadable_split_folder_does_not_stop_the_others(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_files(tmp_path / "ds", [f"train/{TENCH}/a.JPEG", f"val/{TENCH}/b.JPEG"])
    real_scandir = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if path.endswith("val"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(layouts.os, "scandir", scandir)
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert index.split_sizes() == {"train": 1}
    assert reasons(index)["val"] == "permission denied"


def test_sockets_are_not_images(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG"])
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / TENCH / "s.jpg"))
        index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 1
    assert reasons(index)[f"{TENCH}/s.jpg"] == "not a regular file"


def test_files_vanishing_before_the_stat_pass_are_reported(
    tmp_path: Path, hierarchy: Hierarchy, make_files: MakeFiles
) -> None:
    root = make_files(tmp_path / "ds", [f"{TENCH}/a.JPEG", f"{TENCH}/b.JPEG"])
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    (root / TENCH / "b.JPEG").unlink()
    assert fill_file_facts(index) == 2
    sizes = {index.name(r): int(index.sizes[r]) for r in range(len(index))}
    assert sizes["b.JPEG"] == VANISHED
    assert sizes["a.JPEG"] > 0
    assert reasons(index)[f"{TENCH}/b.JPEG"] == "vanished during scan"


def test_non_utf8_names_are_kept_byte_for_byte(
    tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    root = tmp_path / "ds"
    raw_folder = os.fsencode(root / TENCH) + b"/caf\xe9"  # Latin-1 bytes, not UTF-8
    os.makedirs(raw_folder)
    raw_file = raw_folder + b"/\xff\xfe-photo.JPEG"
    with open(raw_file, "wb") as handle:
        handle.write(jpeg_bytes)
    index = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    assert len(index) == 1
    assert os.fsencode(index.path(0)) == raw_file
    fill_file_facts(index)
    assert index.sizes[0] == len(jpeg_bytes)
    again = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")  # from the store
    assert not again.scanned
    assert os.fsencode(again.path(0)) == raw_file
    assert again.sizes[0] == len(jpeg_bytes)
