"""Several verdicts in one transaction (a group of duplicates marked at once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.core.review.verdicts import VerdictStore

ROOT = "/data/imagenet/train"


def test_give_many_records_every_image_and_returns_what_was_there_before(
    tmp_path: Path,
) -> None:
    with VerdictStore(tmp_path) as store:
        store.give(ROOT, "b.JPEG", "n01440764", "wrong_label", note="a carp")
        befores = store.give_many(
            ROOT, [("a.JPEG", "n01440764", "duplicate"), ("b.JPEG", "n01440764", "duplicate")]
        )
        assert befores[0] is None
        assert befores[1] is not None
        assert befores[1].verdict == "wrong_label"
        saved = store.get(ROOT, ["a.JPEG", "b.JPEG"])
        assert {r: v.verdict for r, v in saved.items()} == {
            "a.JPEG": "duplicate",
            "b.JPEG": "duplicate",
        }
        assert saved["b.JPEG"].note == "a carp"  # a verdict keeps the note
        assert saved["b.JPEG"].time > befores[1].time
        with pytest.raises(ValueError, match="unknown verdict 'meh'"):
            store.give_many(ROOT, [("a.JPEG", "n01440764", "duplicate"), ("c", "n1", "meh")])
        assert store.get(ROOT, ["c"]) == {}  # nothing of a refused batch is written
