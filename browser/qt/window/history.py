"""Back and forward through the synsets shown, as a web browser goes through pages."""

from __future__ import annotations


class History:
    """Synsets in the order they were shown; going back and then somewhere new drops what
    lay ahead (as a browser does). Pure Python: tested without a window."""

    def __init__(self) -> None:
        self.synsets: list[int] = []
        self.at = -1

    def clear(self) -> None:
        self.synsets, self.at = [], -1

    def record(self, synset: int) -> None:
        """``synset`` is shown now; showing the current one again records nothing."""
        if self.synsets and self.synsets[self.at] == synset:
            return
        del self.synsets[self.at + 1 :]
        self.synsets.append(synset)
        self.at = len(self.synsets) - 1

    def back(self) -> int | None:
        """The synset before the current one (now current), or None at the start."""
        if self.at <= 0:
            return None
        self.at -= 1
        return self.synsets[self.at]

    def forward(self) -> int | None:
        """The synset after the current one (now current), or None at the end."""
        if self.at + 1 >= len(self.synsets):
            return None
        self.at += 1
        return self.synsets[self.at]
