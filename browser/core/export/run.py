"""Carry out an export plan (:mod:`browser.core.export.plan`).

Running it never overwrites or deletes a file (:mod:`browser.core.export.files`): image files
are written under a temporary name and renamed into place (a file that exists is complete),
``export.json`` first, the manifests last and atomically, so an interrupted export resumes
(``resume=True``) to exactly the result of an uninterrupted one. A source that cannot be read
fails that file alone, recorded with its reason; a resume retries it.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from browser.core.dataset.view import DatasetView
from browser.core.export.files import FAILED, Placer
from browser.core.export.names import imagefolder_numbering, numbering_warnings
from browser.core.export.plan import (
    EXPORT_JSON,
    MANIFEST_COLUMNS,
    ExportError,
    ExportOptions,
    ExportPlan,
)
from browser.core.filenames import json_path, jsonable, open_text


class ExportResult(dict[str, int]):
    """Files per mode used, plus "failed" when some could not be exported (a dict, as
    :func:`run_export` always returned); the failures and warnings in detail."""

    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__(counts)
        self.failed: list[tuple[str, str, str]] = []  # source, output, reason
        self.imagefolder: dict[str, list[tuple[str, int]]] = {}  # as ExportPlan's, as placed
        self.warnings: list[str] = []


def _description(view: DatasetView, options: ExportOptions, plan: ExportPlan) -> dict[str, object]:
    chosen = asdict(options)
    chosen["images"] = [json_path(image) for image in options.images]
    return {
        **json_path(view.index.root, "source"),
        **json_path(str(view.hierarchy.source), "hierarchy"),
        "options": jsonable(chosen),
        "images": len(plan.files),
        "classes": len(plan.classes),
        "app_version": _app_version(),
    }


def _app_version() -> str:
    try:
        return metadata.version("synset-browser")
    except metadata.PackageNotFoundError:  # a source checkout that was never installed
        return "unknown"


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    with open_text(tmp, "w") as handle:  # undecodable bytes of a name go out as they were
        handle.write(text)
    os.replace(tmp, path)


def _write_json(path: Path, value: dict[str, object]) -> None:
    # jsonable: valid UTF-8 for every reader (paths go through json_path before this).
    _write_atomically(path, json.dumps(jsonable(value), indent=2))


def check_output(root: str, out: Path) -> None:
    """Refuse an output inside the dataset: the next scan would take the exported images for
    the dataset's own (and re-label them). Real paths are compared, links resolved, also for
    a folder that does not exist yet."""
    real_root, real_out = os.path.realpath(root), os.path.realpath(out)
    if os.path.commonpath([real_root, real_out]) == real_root:
        raise ExportError(
            f"{out} is inside the dataset ({root}); the next scan would count the exported "
            "images as the dataset's own: choose a folder outside it"
        )


def run_export(
    view: DatasetView,
    options: ExportOptions,
    plan: ExportPlan,
    out: Path,
    *,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the plan into ``out``; returns counts per mode used, plus "failed" if any source
    could not be read (those are in the manifest and export.json with the reason; a resume
    tries them again). Raises ExportError when the export cannot go on."""
    check_output(view.index.root, out)
    # As it reads back from export.json (tuples become lists), to compare with an earlier run.
    description = json.loads(json.dumps(_description(view, options, plan)))
    marker = out / EXPORT_JSON
    record: dict[str, object] = {**description, "started": time.time()}
    if out.exists() and any(out.iterdir()):
        if not resume:
            raise ExportError(
                f"{out} is not empty; nothing in it is ever overwritten "
                "(--resume continues an export)"
            )
        try:
            earlier = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExportError(f"{out} holds no export to resume ({exc})") from exc
        if {k: earlier.get(k) for k in description} != description:
            raise ExportError(f"{out} holds a different export; choose another folder")
        record["started"] = earlier.get("started", record["started"])
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            _write_json(marker, record)
        placer = Placer(out, options.mode, options.relative_links, resume)
        used: list[str] = []
        errors: list[str] = []
        for done, planned in enumerate(plan.files, start=1):
            if cancelled is not None and cancelled():
                raise ExportError("cancelled; run it again with --resume to finish")
            mode, error = placer.place(planned) if planned.output else ("none", "")
            used.append(mode)
            errors.append(error)
            if progress is not None and (done % 200 == 0 or done == len(plan.files)):
                progress(done, len(plan.files))
        placer.remove_empty_folders()
        _write_manifests(out, plan, used, errors)
        result = _result(plan, used, errors)
        _write_json(marker, {**record, **_outcome(plan, used, errors, result)})
    except OSError as exc:
        where = exc.filename or out
        raise ExportError(
            f"cannot write {where}: {exc.strerror or exc}; --resume continues"
        ) from exc
    return result


def _result(plan: ExportPlan, modes: list[str], errors: list[str]) -> ExportResult:
    result = ExportResult(Counter(modes))  # FAILED is counted as one of the modes
    result.failed = [
        (p.source, p.output, error) for p, error in zip(plan.files, errors, strict=True) if error
    ]
    if plan.imagefolder and not result.failed:
        result.imagefolder, result.warnings = plan.imagefolder, plan.warnings
    elif plan.imagefolder:  # as placed: a class whose every file failed has no folder
        placed = [(p, mode) for p, mode in zip(plan.files, modes, strict=True) if mode != FAILED]
        result.imagefolder = imagefolder_numbering(
            {(p.output.split("/")[0], p.output.split("/")[1], p.class_index) for p, _ in placed}
        )
        result.warnings = numbering_warnings(result.imagefolder)
    return result


def _outcome(
    plan: ExportPlan, modes: list[str], errors: list[str], result: ExportResult
) -> dict[str, object]:
    """What export.json says once the run is over."""
    folder_index = {
        folder: index for folders in result.imagefolder.values() for folder, index in folders
    }
    return {
        "finished": time.time(),
        "modes": dict(result),
        "failed": [
            {**json_path(source, "source"), **json_path(output, "output"), "reason": reason}
            for source, output, reason in result.failed
        ],
        "warnings": result.warnings,
        "class_to_idx": dict(sorted(folder_index.items())),  # classes.txt's, by folder name
        "imagefolder_class_to_idx": {
            split: {folder: i for i, (folder, _) in enumerate(folders)}
            for split, folders in result.imagefolder.items()
        },
        "imagefolder_to_class_index": {
            split: [index for _, index in folders] for split, folders in result.imagefolder.items()
        },
    }


def _write_manifests(out: Path, plan: ExportPlan, modes: list[str], errors: list[str]) -> None:
    rows = [
        {
            "output": p.output,
            "source": str(p.source),
            "wnid": p.wnid,
            "class_name": p.class_name,
            "class_index": p.class_index,
            "split": p.split,
            "bytes": p.size,
            "mode": mode,
            "error": error,
        }
        for p, mode, error in zip(plan.files, modes, errors, strict=True)
    ]
    tmp = out / ".manifest.csv.partial"
    with open_text(tmp, "w") as handle:  # raw bytes of non-UTF-8 names, as the disk has them
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, out / "manifest.csv")
    _write_atomically(
        out / "classes.txt", "".join(f"{i}\t{wnid}\t{name}\n" for i, wnid, name in plan.classes)
    )
