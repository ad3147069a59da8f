"""The one rule for non-UTF-8 file names: exact round trips, valid UTF-8 wherever text goes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from browser.core.filenames import (
    display,
    json_path,
    jsonable,
    open_text,
    path_from_json,
)

LATIN1_CAFE = os.fsdecode(b"caf\xe9.JPEG")
names = st.binary(min_size=1, max_size=40).filter(lambda b: b"\0" not in b).map(os.fsdecode)


@given(names)
def test_json_carries_every_name_exactly_and_as_valid_utf8(name: str) -> None:
    text = json.dumps(json_path(name), ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogate can reach the output
    assert path_from_json(json.loads(text)) == name


def test_a_latin1_name_shows_a_replacement_character_and_its_bytes() -> None:
    record = json_path(LATIN1_CAFE)
    assert record["path"] == "caf\ufffd.JPEG"
    assert "path_bytes" in record
    assert json_path("café.JPEG") == {"path": "café.JPEG"}  # valid UTF-8 needs no bytes


def test_jsonable_leaves_no_surrogate_anywhere() -> None:
    value = jsonable({"skipped": [{LATIN1_CAFE: LATIN1_CAFE}], "n": 3})
    json.dumps(value, ensure_ascii=False).encode("utf-8")
    assert value["n"] == 3
    assert display(LATIN1_CAFE) in value["skipped"][0]


@given(names)
def test_csv_text_files_carry_the_raw_bytes(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    # A text starting with U+FEFF is a byte-order mark to every reader (Excel writes one);
    # open_text skips it by design. Real files start with a header line.
    text = "path\n" + name + "\n"
    path = tmp_path_factory.mktemp("csv") / "names.csv"
    with open_text(path, "w") as handle:
        handle.write(text)
    assert path.read_bytes() == b"path\n" + os.fsencode(name) + b"\n"
    with open_text(path) as handle:
        assert handle.read() == text


def test_a_byte_order_mark_is_skipped_on_reading(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(b"\xef\xbb\xbfImageId,PredictionString\n")
    with open_text(path) as handle:
        assert handle.readline().startswith("ImageId")


def test_printing_a_name_never_raises_in_a_latin1_or_ascii_locale() -> None:
    code = (
        "import os; from browser.core.filenames import make_streams_safe; make_streams_safe(); "
        "print(os.fsdecode(b'caf\\xe9'), '狗', 'café')"
    )
    for encoding in ("latin-1", "ascii", "utf-8"):
        env = {**os.environ, "PYTHONIOENCODING": encoding}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, check=False
        )
        assert result.returncode == 0, result.stderr
