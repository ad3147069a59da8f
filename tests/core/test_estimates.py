"""Label-error estimates: Wilson intervals, and the size-weighted roll-up over classes."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.core.review.estimates import ReviewSummary, wilson
from browser.core.review.records import Verdict
from tests.conftest import DOG, GOLDEN, TENCH, MakeFiles

GOLDFISH, CYPRINID = "n01443537", "n01439121"


def test_wilson_interval_matches_the_textbook_case() -> None:
    low, high = wilson(2 / 10, 10)  # 2 of 10: the classic worked example
    assert low == pytest.approx(0.0567, abs=5e-4)
    assert high == pytest.approx(0.5098, abs=5e-4)
    assert wilson(0.0, 0) == (0.0, 1.0)


def verdicts(wnid: str, **counts: int) -> list[Verdict]:
    made = []
    for kind, count in counts.items():
        made += [
            Verdict(f"{wnid}/{kind}{i}.JPEG", wnid, kind, "", "", "t", 1.0) for i in range(count)
        ]
    return made


def test_a_superclass_estimate_weights_each_class_by_its_size(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    given = verdicts(TENCH, correct=3, wrong_label=1, ambiguous=1, unusable=2, duplicate=1)
    given += verdicts(GOLDFISH, wrong_label=1)
    root = make_files(tmp_path / "ds", [v.relpath for v in given] + [f"{TENCH}/unseen.JPEG"])
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    summary = ReviewSummary(view, given)
    tench = summary.node(hierarchy.index(TENCH))
    # unusable and duplicate say nothing about the label
    assert tench.error_rate == pytest.approx(1 / 5)
    assert (tench.ci_low, tench.ci_high) == pytest.approx(wilson(0.2, 5))
    assert tench.reviewed == 8
    assert tench.verdicts == {
        "correct": 3,
        "wrong_label": 1,
        "ambiguous": 1,
        "unusable": 2,
        "duplicate": 1,
    }
    cyprinid = summary.node(hierarchy.index(CYPRINID))
    # 9 tench at 20 % and 1 goldfish at 100 %: 0.9 × 0.2 + 0.1 × 1.0, not the pooled 2/6.
    assert cyprinid.error_rate == pytest.approx(0.28)
    variance = 0.9**2 * 0.2 * 0.8 / 5 + 0.1**2 * 1.0 * 0.0 / 1
    assert (cyprinid.ci_low, cyprinid.ci_high) == pytest.approx(
        wilson(0.28, 0.28 * 0.72 / variance)
    )
    assert cyprinid.images == 10
    assert summary.node(hierarchy.index(GOLDEN)).error_rate is None


def test_verdict_counts_count_each_image_once_under_every_ancestor(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    given = verdicts(GOLDEN, wrong_label=2)
    root = make_files(tmp_path / "ds", [v.relpath for v in given])
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    summary = ReviewSummary(view, given)
    assert len(hierarchy.hypernym_paths(hierarchy.index(DOG))) == 2  # two ways up from dog
    for node in (hierarchy.index(DOG), hierarchy.root):
        estimate = summary.node(node)
        assert estimate.verdicts["wrong_label"] == 2
        assert estimate.error_rate == pytest.approx(1.0)


def test_verdicts_on_images_the_dataset_does_not_hold_are_not_counted(
    tmp_path: Path, make_files: MakeFiles, hierarchy: Hierarchy
) -> None:
    """A verdict on a deleted image, or on another dataset of the same folder name, says
    nothing about this dataset's labels."""
    held = verdicts(TENCH, correct=1)
    root = make_files(tmp_path / "ds", [v.relpath for v in held] + [f"{TENCH}/x.JPEG"])
    view = DatasetView(open_dataset(root, hierarchy, cache_dir=tmp_path / "cache"))
    elsewhere = verdicts(TENCH, wrong_label=5)  # names no image of this dataset
    summary = ReviewSummary(view, held + elsewhere)
    tench = summary.node(hierarchy.index(TENCH))
    assert (tench.reviewed, tench.images, tench.error_rate) == (1, 2, 0.0)
    assert summary.unknown == 5
