"""Output names of an export: unique on a case-insensitive drive, short enough, never hidden."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from browser.core.export.names import MAX_NAME_BYTES, fit_name, safe_name, unique_names

# Source names as a Linux disk may hold them: any characters, undecodable bytes (lone
# surrogates, as os.fsdecode gives them), clashes that differ only in case, long names.
_LETTERS = st.sampled_from(list("aAbBxX.~ _-ßsSİi\u00e9e\u0301") + ["\udce9", "/", "\x00"])
_SHORT = st.text(_LETTERS, max_size=12)
_LONG = st.builds(
    lambda s, n: s * n, st.text(_LETTERS, min_size=1, max_size=4), st.integers(1, 130)
)
_NAMES = st.lists(st.one_of(_SHORT, _LONG, st.sampled_from(["x.JPEG", "X.jpeg", "x~2.JPEG"])))


def _bytes(name: str) -> int:
    return len(os.fsencode(name))


@settings(max_examples=300, deadline=None)
@given(_NAMES, st.lists(st.sampled_from(["export.json", "EXPORT.JSON", "x.JPEG"]), max_size=2))
def test_planned_names_are_unique_ignoring_case_fit_and_are_never_special(
    names: list[str], reserved: list[str]
) -> None:
    planned = unique_names(names, reserved)
    assert len(planned) == len(names)
    folded = [p.casefold() for p in planned]
    assert len(set(folded)) == len(folded)
    assert not set(folded) & {r.casefold() for r in reserved}
    for name in planned:
        assert 0 < _bytes(name) <= MAX_NAME_BYTES
        assert name not in ("", ".", "..")
        assert not name.startswith(".")  # hidden, and where our temporary names live
        assert "/" not in name
        assert "\x00" not in name
    assert unique_names(list(names), list(reserved)) == planned  # deterministic


def test_a_name_that_was_already_a_renamed_one_keeps_its_own_name() -> None:
    # The case: a/x.JPEG, b/x.JPEG, c/x~2.JPEG in one class folder.
    assert unique_names(["x.JPEG", "x.JPEG", "x~2.JPEG"]) == ["x.JPEG", "x~3.JPEG", "x~2.JPEG"]
    assert unique_names(["X.JPEG", "x.JPEG"]) == ["X.JPEG", "x~2.JPEG"]


def test_long_names_are_shortened_keeping_their_extension_and_whole_characters() -> None:
    longest = "a" * 250 + ".JPEG"
    assert fit_name(longest) == longest  # 255 bytes is legal and kept
    clash = unique_names([longest, longest])
    assert clash[0] == longest
    assert clash[1].endswith("~2.JPEG")
    assert _bytes(clash[1]) == MAX_NAME_BYTES
    accents = fit_name("\u00e9" * 200 + ".JPEG")  # 2 bytes each: cut between characters
    assert accents.endswith(".JPEG")
    assert _bytes(accents) <= MAX_NAME_BYTES
    assert accents.encode("utf-8")  # still valid UTF-8: no half character


def test_unsafe_names_are_made_safe_and_undecodable_bytes_kept() -> None:
    assert safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_name("..") == "_"
    assert safe_name("x. ") == "x"  # Windows drops trailing dots and spaces: x. would be x
    assert safe_name("CON.JPEG") == "_CON.JPEG"  # a device name on Windows drives
    assert os.fsencode(safe_name(os.fsdecode(b"caf\xe9.JPEG"))) == b"caf\xe9.JPEG"
