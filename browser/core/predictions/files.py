"""A model's predictions read from a file: ``.npz``, CSV or JSON Lines.

Each record names an image by its path relative to the dataset root. Paths match exactly
after two normalisations and nothing else (no suffix matching): ``\\`` becomes ``/`` and a
leading ``./`` is dropped. Non-UTF-8 paths follow browser.core.filenames: raw bytes in CSV
(``open_text``), ``path`` + ``path_bytes`` in JSON, and a bytes array (``S``) in npz.

- ``.npz``: ``paths`` (N), ``probs`` or ``logits`` (N×K), ``classes`` (K wnids; when absent
  and K = 1000, the ILSVRC-2012 sorted-wnid order that torchvision and timm use). Logits go
  through a softmax. The arrays are read with ``allow_pickle=False``: a file never runs code.
- CSV / JSON Lines: ``path``, then either ``predicted`` (a wnid) and ``confidence``, or
  ``top``: a list of ``[wnid, probability]`` (in CSV, that list as JSON in the cell).

A bad row (NaN, a probability outside 0–1, full probabilities whose sum is off by more than
1e-3, a top-k list summing over 1 + 1e-3, a path given twice, a malformed value) is reported
with its line (CSV, JSON Lines; 1-based, the header is line 1) or index (npz), and the rest is
read. A problem with the file as a whole (no ``paths``, K ≠ len(classes), a CSV row the csv
module cannot read at all) raises :class:`PredictionFileError`. CSV and JSON Lines are read in
chunks by browser.core.predictions.textrows.
"""

from __future__ import annotations

import gc
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from browser.core.filenames import open_text
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids
from browser.core.linefiles import LabelProblem
from browser.core.predictions.predictionfile import (
    TOLERANCE,
    PredictionFile,
    PredictionFileError,
    located,
    normalise_paths,
    select,
)
from browser.core.predictions.textrows import csv_chunks, jsonl_chunks, read_chunks

FORMATS = {".npz": "npz", ".csv": "CSV", ".jsonl": "JSON Lines", ".ndjson": "JSON Lines"}
_CHUNK = 1024  # rows checked at a time: a 1,000-class block (4 MB) stays in the cache


def file_format(path: str) -> str:
    extension = os.path.splitext(path)[1].lower()
    if extension not in FORMATS:
        raise PredictionFileError(
            f"{path}: predictions are read from {', '.join(FORMATS)}, not {extension or 'this'!r}"
        )
    return FORMATS[extension]


def read_prediction_file(path: str) -> PredictionFile:
    """Read ``path`` (format by extension); bad rows are in ``problems``, the rest kept."""
    kind = file_format(path)
    try:
        if kind == "npz":
            return _read_npz(path)
        with open_text(path) as handle, _collector_paused():
            chunks = csv_chunks(path, handle) if kind == "CSV" else jsonl_chunks(handle)
            return read_chunks(path, chunks)
    except OSError as exc:
        raise PredictionFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing makes millions of small lists that form no cycles; the cyclic collector's
    passes over them cost a third of a 100,000-row top-5 import (A/B in one process on the
    loaded 2-core VM: 9.4–10.0 s with it, 5.6–6.6 s without). The window already runs
    without automatic collection (browser.qt.gcpin), so the collector is only paused where
    it was on, and switched on again after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


# -- npz --------------------------------------------------------------------------------


def _strings(path: str, name: str, array: np.ndarray) -> list[str]:
    if array.ndim != 1:
        raise PredictionFileError(f"{path}: {name} must be one-dimensional")
    if array.dtype.kind == "U":
        return [str(s) for s in array.tolist()]
    if array.dtype.kind == "S":
        return [os.fsdecode(s) for s in array.tolist()]
    raise PredictionFileError(
        f"{path}: {name} must hold strings or bytes, not {array.dtype} "
        "(save it with np.array(names, dtype=str))"
    )


def _read_npz(path: str) -> PredictionFile:
    try:
        with np.load(path, allow_pickle=False) as data:
            names = set(data.files)
            if "paths" not in names:
                raise PredictionFileError(f"{path}: no 'paths' array")
            which = "probs" if "probs" in names else "logits" if "logits" in names else None
            if which is None:
                raise PredictionFileError(f"{path}: neither 'probs' nor 'logits'")
            paths = _strings(path, "paths", data["paths"])
            values = data[which]
            classes = _strings(path, "classes", data["classes"]) if "classes" in names else None
    except (ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, PredictionFileError):
            raise
        raise PredictionFileError(f"{path}: not a readable npz file ({exc})") from exc
    if values.ndim != 2 or values.dtype.kind not in "fiu":
        raise PredictionFileError(f"{path}: {which} must be an N×K array of numbers")
    if len(values) != len(paths):
        raise PredictionFileError(
            f"{path}: {len(paths):,} paths but {len(values):,} rows of {which}"
        )
    width = values.shape[1]
    if classes is None:
        if width != 1000:
            raise PredictionFileError(
                f"{path}: no 'classes' array, and K = {width:,} is not the 1,000 ILSVRC "
                "classes whose order could be assumed"
            )
        classes = list(ilsvrc_wnids())
    elif len(classes) != width:
        raise PredictionFileError(f"{path}: K = {width:,} columns but {len(classes):,} classes")
    # float32 probabilities (the common case) are checked where np.load put them, and logits
    # turned into probabilities in place: no second N×K array (200 MB at 50,000 × 1,000).
    own = values.dtype == np.float32
    probs = values if own else np.empty(values.shape, dtype=np.float32)
    bad: list[LabelProblem] = []
    keep = np.ones(len(paths), dtype=bool)
    for start in range(0, len(paths), _CHUNK):
        block = probs[start : start + _CHUNK]
        if not own:
            block[...] = values[start : start + _CHUNK]
        reasons = _check_block(block, softmax=which == "logits")
        if which == "logits":
            _softmax(block)
        for offset, reason in reasons:
            keep[start + offset] = False
            bad.append(located(path, "index", start + offset, reason))
    del values
    result = PredictionFile(
        path, "probabilities", "index", paths, np.arange(len(paths)), classes, probs=probs
    )
    result.problems = bad
    return _without(result, keep)


def _check_block(block: np.ndarray, *, softmax: bool) -> list[tuple[int, str]]:
    """(row in block, reason) for each bad row of a block of probabilities or logits."""
    finite = np.isfinite(block).all(axis=1)
    found = [(int(i), "NaN or infinite value") for i in np.flatnonzero(~finite)]
    if softmax:
        return found
    with np.errstate(invalid="ignore"):
        negative = finite & ((block < 0) | (block > 1)).any(axis=1)
        sums = block.sum(axis=1, dtype=np.float64)
    found += [(int(i), "a probability outside 0–1") for i in np.flatnonzero(negative)]
    off = finite & ~negative & (np.abs(sums - 1) > TOLERANCE)
    found += [
        (int(i), f"probabilities sum to {sums[i]:.6g}, not 1 (± {TOLERANCE:g})")
        for i in np.flatnonzero(off)
    ]
    return found


def _softmax(block: np.ndarray) -> None:
    """Rows of logits made probabilities, in place."""
    block -= block.max(axis=1, keepdims=True)
    np.exp(block, out=block)
    block /= block.sum(axis=1, keepdims=True)


def _without(result: PredictionFile, keep: np.ndarray) -> PredictionFile:
    """``result`` without the records ``keep`` is False for, and without repeated paths."""
    kept = np.flatnonzero(keep).tolist()
    names = normalise_paths([result.paths[i] for i in kept])
    for i, name in zip(kept, names, strict=True):
        result.paths[i] = name
    if len(set(names)) != len(names):
        seen: dict[str, int] = {}
        for i, name in zip(kept, names, strict=True):
            if name in seen:
                keep[i] = False
                result.problems.append(
                    result.problem(i, f"{name} was given at index {seen[name]} already")
                )
            else:
                seen[name] = i
    return result if keep.all() else select(result, keep)
