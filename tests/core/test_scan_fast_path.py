"""The scan's fast path, which decides with a few string counts per folder that every name
is a visible image, never takes a name that the per-name rule would refuse (issue 15 made it
count ``.JPEG`` first and stop early; a wrong "yes" would index a non-image or hidden file)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from browser.core.dataset import scanner
from browser.core.dataset.layouts import IMAGE_EXTENSIONS

_EXTENSIONS = sorted(IMAGE_EXTENSIONS) + ["txt", "JPEG", "Jpg", "TIF", "jpeg.txt", "", "jpe"]
_stems = st.text(st.sampled_from("ab.\n\0 é_1"), min_size=0, max_size=6)
_names = st.builds(
    lambda prefix, stem, ext: f"{prefix}{stem}.{ext}" if ext else f"{prefix}{stem}",
    st.sampled_from(["", ".", "x", "n0144_"]),
    _stems,
    st.sampled_from(_EXTENSIONS),
).filter(bool)


def test_every_image_extension_is_counted() -> None:
    assert set(scanner._BY_COMMONNESS) == IMAGE_EXTENSIONS


@settings(max_examples=400, deadline=None)
@given(st.lists(_names, max_size=12))
@example(["a.JPEG", "b.jpg", "c.tiff", "d.tif"])
@example(["a.JPEG", ".b.JPEG"])
@example(["a.JPEG", "b.JPEG\nc.JPEG"])
@example(["a.jpeg.txt"])
def test_the_fast_path_agrees_with_the_per_name_rule(names: list[str]) -> None:
    exact = all(scanner._is_visible_image(n) for n in names)
    fast = scanner._all_images(names)
    if fast:
        assert exact
    if not any("\n" in n or "\0" in n for n in names):
        assert fast == exact  # the fast path gives up only on names no folder lists
