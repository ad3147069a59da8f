"""Models' predictions for a dataset, kept in the user's data folder.

Each model's predictions are one ``.npz`` file in ``<data folder>/predictions/<dataset key>/``
(the dataset key of browser.core.dataset.identity, so a moved dataset keeps them), keyed by
image key: the relative paths' exact bytes, NUL-separated. A dataset may have several models;
importing a model again replaces its file (written under a temporary name in the same folder,
then ``os.replace``: it is whole or absent). Where one model is needed and none is named, the
latest import is used.

Importing matches a file's records to the dataset's images (browser.core.predictions.files reads
the file): a record whose path the dataset does not hold, or that names a class the hierarchy
does not know, is reported with its line or index and left out; the rest is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.hierarchy.dag import Hierarchy
from browser.core.linefiles import LabelProblem
from browser.core.predictions.files import read_prediction_file
from browser.core.predictions.predictionfile import PredictionFile, select
from browser.core.review.verdicts import VerdictStore

FOLDER = "predictions"


class PredictionsError(RuntimeError):
    """Predictions cannot be stored or found; ``str()`` says why."""


@dataclass(frozen=True)
class ModelInfo:
    """One stored model: its name, what it holds, and when and from where it came."""

    name: str
    kind: str  # "probabilities" or "top-k"
    images: int
    classes: int
    imported: float  # seconds since the epoch
    source: str  # the file it was imported from

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "images": self.images,
            "classes": self.classes,
            "imported": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.imported)),
            "source": self.source,
        }


@dataclass
class ImportReport:
    """What an import kept and what it reported."""

    model: ModelInfo
    problems: list[LabelProblem] = field(default_factory=list)
    unknown_paths: int = 0  # records naming an image the dataset does not hold
    unknown_classes: int = 0  # records or classes naming a wnid the hierarchy does not know
    label_not_among_classes: int = 0  # images whose label the model cannot predict
    replaced: bool = False  # a model of this name was stored before
    stored: bool = False  # False: no record matched the dataset, nothing was stored


@dataclass
class Predictions:
    """One model's predictions, matched to the images of a dataset index.

    Record ``i`` is dataset row ``rows[i]``. ``classes`` are the model's classes as hierarchy
    nodes (-1 for a wnid the hierarchy does not know). With ``kind == "probabilities"``,
    ``probs`` is M×K; otherwise ``top_class``/``top_prob`` are M×k, most probable first
    (class -1, probability 0 where a record has fewer entries).
    """

    info: ModelInfo
    classes: np.ndarray
    rows: np.ndarray
    probs: np.ndarray | None = None
    top_class: np.ndarray | None = None
    top_prob: np.ndarray | None = None
    gone: int = 0  # stored images the dataset no longer holds

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def full(self) -> bool:
        return self.probs is not None

    @cached_property
    def predicted_column(self) -> np.ndarray:
        """Per record, the position in ``classes`` of the top-1 prediction."""
        if self.probs is not None:
            return _argmax(self.probs)
        assert self.top_class is not None
        return self.top_class[:, 0].astype(np.int64)

    @cached_property
    def predicted(self) -> np.ndarray:
        """Per record, the top-1 prediction as a hierarchy node (-1: an unknown class)."""
        return self.classes[self.predicted_column]

    def label_columns(self, labels: np.ndarray) -> np.ndarray:
        """Per record, the position in ``classes`` of its image's label (``labels`` is the
        index's, per row), -1 where the model has no such class."""
        mine = labels[self.rows].astype(np.int64)
        size = int(max(mine.max(initial=-1), self.classes.max(initial=-1))) + 1
        column_of = np.full(size + 1, -1, dtype=np.int64)  # the extra slot serves -1
        known = np.flatnonzero(self.classes >= 0)
        column_of[self.classes[known]] = known
        return column_of[mine]

    def top(self, record: int, k: int = 5) -> list[tuple[int, float]]:
        """The record's ``k`` most probable classes: (hierarchy node, probability)."""
        if self.probs is not None:
            row = self.probs[record]
            best = np.argsort(-row, kind="stable")[:k]
            return [(int(self.classes[c]), float(row[c])) for c in best.tolist()]
        assert self.top_class is not None
        assert self.top_prob is not None
        return [
            (int(self.classes[c]), float(p))
            for c, p in zip(
                self.top_class[record].tolist(), self.top_prob[record].tolist(), strict=True
            )
            if c >= 0
        ][:k]

    def record_of_rows(self, size: int) -> np.ndarray:
        """Per dataset row (of ``size``), its record number, -1 where it has no prediction."""
        found = np.full(size, -1, dtype=np.int64)
        found[self.rows] = np.arange(len(self.rows))
        return found


def _argmax(probs: np.ndarray) -> np.ndarray:
    out = np.empty(len(probs), dtype=np.int64)
    for start in range(0, len(probs), 16384):
        out[start : start + 16384] = probs[start : start + 16384].argmax(axis=1)
    return out


class PredictionStore:
    """The stored models of one dataset (by its key)."""

    def __init__(self, data_dir: Path, dataset_key: str) -> None:
        if not dataset_key:
            raise PredictionsError("the dataset has no key (the verdict database is read-only)")
        self.folder = Path(data_dir) / FOLDER / dataset_key

    @classmethod
    def for_index(cls, data_dir: Path, index: DatasetIndex) -> PredictionStore:
        """The store of ``index``'s dataset, registering the dataset if it is new."""
        with VerdictStore(Path(data_dir)) as verdicts:
            key = verdicts.identify(index).key
            if verdicts.problem and not key:
                raise PredictionsError(verdicts.problem)
        return cls(Path(data_dir), key)

    def _file(self, name: str) -> Path:
        # Any text names a model; the file is named by its hash, the name kept inside.
        return self.folder / (
            hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:24] + ".npz"
        )

    def models(self) -> list[ModelInfo]:
        """Every stored model, the latest import first."""
        found = []
        if not self.folder.is_dir():
            return []
        for path in self.folder.glob("*.npz"):
            try:
                with np.load(path, allow_pickle=False) as data:
                    found.append(_info(str(data["meta"])))
            except (OSError, ValueError, KeyError):
                continue  # being replaced, or not ours: never in the way
        return sorted(found, key=lambda m: -m.imported)

    def latest(self) -> ModelInfo | None:
        models = self.models()
        return models[0] if models else None

    def resolve(self, name: str | None) -> ModelInfo:
        """The model called ``name``, or the latest import; PredictionsError if none."""
        models = self.models()
        if not models:
            raise PredictionsError(
                "no predictions imported for this dataset (see `predictions --import`)"
            )
        if name is None:
            return models[0]
        for model in models:
            if model.name == name:
                return model
        known = ", ".join(m.name for m in models)
        raise PredictionsError(f"no model {name!r} for this dataset (stored: {known})")

    def remove(self, name: str) -> bool:
        path = self._file(name)
        if not path.exists():
            return False
        path.unlink()
        return True

    def save(self, info: ModelInfo, parsed: PredictionFile) -> bool:
        """Store ``parsed`` (already matched to the dataset) as ``info.name``; True if it
        replaced a stored model of that name."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self._file(info.name)
        existed = target.exists()
        # One encode of the joined paths is the same as one per path (NUL joins them).
        names = os.fsencode("\0".join(parsed.paths))
        arrays: dict[str, np.ndarray] = {
            "meta": np.array(json.dumps(info.__dict__)),
            "names": np.frombuffer(names, dtype=np.uint8),
            "classes": np.array(parsed.classes, dtype=str),
        }
        for key in ("probs", "top_class", "top_prob"):
            value = getattr(parsed, key)
            if value is not None:
                arrays[key] = value
        temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
        try:
            with open(temporary, "wb") as handle:
                np.savez(handle, **arrays)  # type: ignore[arg-type]
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return existed

    def load(self, index: DatasetIndex, name: str | None = None) -> Predictions:
        """The model ``name`` (default: the latest import) matched to ``index``'s images."""
        info = self.resolve(name)
        with np.load(self._file(info.name), allow_pickle=False) as data:
            blob = data["names"].tobytes()
            classes = [str(c) for c in data["classes"].tolist()]
            arrays = {k: data[k] for k in ("probs", "top_class", "top_prob") if k in data.files}
        paths = os.fsdecode(blob).split("\0") if blob else []
        every = rows_of(index, paths)
        keep = every >= 0
        rows = every[keep]
        chosen = np.flatnonzero(keep)
        return Predictions(
            info,
            _nodes(index.hierarchy, classes),
            rows,
            gone=int(len(paths) - len(rows)),
            **{k: (v if keep.all() else v[chosen]) for k, v in arrays.items()},
        )


_MATCH_AT_ONCE = 131072  # paths matched together: bounds find_rows' dicts (1.28M: ~300 MB)


def rows_of(index: DatasetIndex, paths: list[str]) -> np.ndarray:
    """Per relative path, its row in ``index``, -1 where the index does not hold it. Matched
    a slice at a time, so that the lookup's per-path dicts never hold every path at once
    (a file in folder order decodes each folder's names about once either way)."""
    rows = np.empty(len(paths), dtype=np.int64)
    for start in range(0, len(paths), _MATCH_AT_ONCE):
        part = paths[start : start + _MATCH_AT_ONCE]
        found = index.find_rows(part)
        rows[start : start + len(part)] = np.fromiter(
            map(found.get, part, repeat(-1)), dtype=np.int64, count=len(part)
        )
    return rows


def _info(meta: str) -> ModelInfo:
    return ModelInfo(**json.loads(meta))


def _nodes(hierarchy: Hierarchy, wnids: list[str]) -> np.ndarray:
    return np.array(
        [-1 if (node := hierarchy.find(w)) is None else node for w in wnids], dtype=np.int64
    )


def model_name(path: str, model: str | None) -> str:
    """The name a model is stored as: the one given, else the file's stem."""
    name = model if model is not None else Path(path).stem
    if not name.strip():
        raise PredictionsError("a model name cannot be empty")
    return name


def import_predictions(
    store: PredictionStore, index: DatasetIndex, path: str, model: str | None = None
) -> ImportReport:
    """Read ``path``, match it to ``index``, and store it (replacing a model of that name).
    Raises PredictionFileError when the file as a whole cannot be read."""
    name = model_name(path, model)
    parsed = read_prediction_file(path)
    problems = list(parsed.problems)
    nodes = _nodes(index.hierarchy, parsed.classes)
    unknown_classes = 0
    if parsed.kind == "probabilities":
        for column in np.flatnonzero(nodes < 0).tolist():
            unknown_classes += 1
            problems.append(
                LabelProblem(
                    path, 0, f"class {column} ({parsed.classes[column]}) is not in the hierarchy"
                )
            )
        keep = np.ones(len(parsed), dtype=bool)
    else:
        assert parsed.top_class is not None
        entries = parsed.top_class
        unknown = ((entries >= 0) & (nodes[entries.clip(0)] < 0)).any(axis=1)
        for record in np.flatnonzero(unknown).tolist():
            wnids = [parsed.classes[c] for c in entries[record].tolist() if c >= 0 and nodes[c] < 0]
            problems.append(parsed.problem(record, f"unknown wnid {', '.join(wnids)}"))
        unknown_classes = int(unknown.sum())
        keep = ~unknown
    every = rows_of(index, parsed.paths)
    for record in np.flatnonzero(keep & (every < 0)).tolist():
        problems.append(
            parsed.problem(record, f"{parsed.paths[record]}: no such image in the dataset")
        )
    unknown_paths = int((every < 0).sum())
    keep &= every >= 0
    rows = every[keep]
    parsed = select(parsed, keep) if not keep.all() else parsed
    labels = index.labels[rows]
    outside = int((~np.isin(labels, nodes[nodes >= 0])).sum())
    info = ModelInfo(
        name, parsed.kind, len(parsed), len(parsed.classes), time.time(), os.path.abspath(path)
    )
    if not len(parsed):
        problems.append(LabelProblem(path, 0, "no record matched the dataset: nothing stored"))
        return ImportReport(info, problems, unknown_paths, unknown_classes, outside)
    replaced = store.save(info, parsed)
    return ImportReport(info, problems, unknown_paths, unknown_classes, outside, replaced, True)
