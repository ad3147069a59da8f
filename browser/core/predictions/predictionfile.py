"""What a predictions file holds once read (:class:`PredictionFile`), how its problems are
located, and the errors that stop a file being read at all. Shared by the readers in
:mod:`browser.core.predictions.files` and by the store that matches records to a dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from browser.core.linefiles import LabelProblem

TOLERANCE = 1e-3  # how far a full row's sum may be from 1, and a top-k sum above 1


class PredictionFileError(ValueError):
    """The file as a whole cannot be read as predictions; ``str()`` says which and why."""


@dataclass
class PredictionFile:
    """What one file holds, before it is matched to a dataset.

    ``kind`` is ``"probabilities"`` (``probs``: N×K, each row summing to 1) or ``"top-k"``
    (``top_class``: N×k positions in ``classes``, -1 where a row has fewer; ``top_prob``:
    their probabilities, most probable first, 0 where absent). ``where[i]`` is the line or
    index of record ``i``, for problems found later (an unknown path or wnid).
    """

    path: str
    kind: str
    unit: str  # "line" or "index"
    paths: list[str]
    where: np.ndarray
    classes: list[str]
    probs: np.ndarray | None = None
    top_class: np.ndarray | None = None
    top_prob: np.ndarray | None = None
    problems: list[LabelProblem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.paths)

    def problem(self, position: int, reason: str) -> LabelProblem:
        """A problem with record ``position``, located as the file locates it."""
        return located(self.path, self.unit, int(self.where[position]), reason)


def located(path: str, unit: str, where: int, reason: str) -> LabelProblem:
    """A problem at a line (``file:line: reason``) or an npz index (``file: index i: …``)."""
    if unit == "line":
        return LabelProblem(path, where, reason)
    return LabelProblem(path, 0, f"index {where}: {reason}")


def normalise_path(path: str) -> str:
    """The relative path a record names: separators made ``/``, one leading ``./`` dropped."""
    path = path.replace("\\", "/")
    return path[2:] if path.startswith("./") else path


def normalise_paths(paths: list[str]) -> list[str]:
    """:func:`normalise_path` of each, done over all of them at once: the names joined with
    NUL (which no file name holds; where one does, each is done alone), the two rules applied
    to the joined text, and split again."""
    joined = "\0".join(paths)
    if not paths or joined.count("\0") != len(paths) - 1:
        return [normalise_path(p) for p in paths]
    joined = ("\0" + joined.replace("\\", "/")).replace("\0./", "\0")
    return joined[1:].split("\0")


def select(result: PredictionFile, keep: np.ndarray) -> PredictionFile:
    """The records of ``result`` that ``keep`` (bool, one per record) marks."""
    chosen = np.flatnonzero(keep)
    result.paths = [result.paths[i] for i in chosen.tolist()]
    result.where = result.where[chosen]
    for name in ("probs", "top_class", "top_prob"):
        array = getattr(result, name)
        if array is not None:
            setattr(result, name, array[chosen])
    return result
