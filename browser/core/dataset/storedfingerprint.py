"""A stored index's fingerprint, kept beside its columns so that hashing 14M names happens
once per generation, not at every first open in another data folder (issue 15).

The fingerprint (:mod:`browser.core.dataset.identity`) hashes the labelled rows' names and
sizes. A generation's names never change and its sizes change only by a new generation, so
the digest computed for one generation stays true for it, for one hierarchy numbering (which
folders are labelled depends on it). It is only used for an index whose rows are exactly the
generation's labelled prefix with the stored sizes (``size_summary`` is set only then, and a
stat pass clears it before changing a size).

The file is written next to the mapped columns, never over them (a new file, renamed into
place); :func:`browser.core.dataset.columnstore.save_facts` does not carry it into the next
generation. A cache folder that cannot be written just means hashing again next time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from browser.core.dataset.columnstore import node_numbering

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex

PREFIX = "fingerprint-"


def _place(index: DatasetIndex) -> tuple[Path, str] | None:
    if index.size_summary is None or index.store_path is None or not index.store_generation:
        return None
    numbering = node_numbering(index.hierarchy)
    folder = index.store_path / index.store_generation
    return folder / f"{PREFIX}{numbering[:16]}.json", numbering


def read(index: DatasetIndex) -> tuple[str, str] | None:
    """The (paths, files) digests kept for this index's generation, if they describe it."""
    place = _place(index)
    if place is None:
        return None
    path, numbering = place
    try:
        kept = json.loads(path.read_text(encoding="ascii"))
        if (
            kept["generation"] == index.store_generation
            and kept["numbering"] == numbering
            and kept["images"] == len(index)
        ):
            return str(kept["paths"]), str(kept["files"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: the caller hashes the names
    return None


def keep(index: DatasetIndex, paths: str, files: str) -> None:
    """Keep the digests beside the index's generation (nothing if it cannot be written)."""
    place = _place(index)
    if place is None:
        return
    path, numbering = place
    record = {
        "generation": index.store_generation,
        "numbering": numbering,
        "images": len(index),
        "paths": paths,
        "files": files,
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record), encoding="ascii")
        os.replace(tmp, path)
    except OSError:  # a read-only or full cache: the fingerprint is still right
        tmp.unlink(missing_ok=True)
