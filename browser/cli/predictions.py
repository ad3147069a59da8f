"""``synset-browser predictions``: import, list or remove a model's predictions for a dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from browser.cli.opening import open_index
from browser.cli.output import emit, plural, print_limited
from browser.cli.parsing import PROG, UsageError, add_common, add_layout
from browser.core import userdirs
from browser.core.filenames import json_path
from browser.core.predictions.predictionfile import PredictionFileError
from browser.core.predictions.store import (
    ImportReport,
    Predictions,
    PredictionsError,
    PredictionStore,
    import_predictions,
)
from browser.core.review.verdicts import DATABASE_NAME

if TYPE_CHECKING:
    from browser.core.dataset.index import DatasetIndex
    from browser.core.hierarchy.dag import Hierarchy


def add_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "predictions", help="a model's predictions for a dataset: import, list, remove"
    )
    parser.add_argument("dataset")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--import",
        dest="import_",
        metavar="FILE",
        help="store the predictions in FILE (.npz, .csv, .jsonl); a model imported again is "
        "replaced",
    )
    action.add_argument("--list", action="store_true", help="the stored models, latest first")
    action.add_argument("--remove", metavar="NAME", help="forget the model NAME")
    parser.add_argument("--model", metavar="NAME", help="the model's name (default: FILE's stem)")
    parser.add_argument("--data-dir", help="where predictions are kept (default: XDG data)")
    add_common(parser)
    add_layout(parser)
    return parser


def store_for(args: argparse.Namespace, index: DatasetIndex) -> PredictionStore:
    return PredictionStore.for_index(userdirs.data_dir(args.data_dir), index)


def existing_store(args: argparse.Namespace, index: DatasetIndex) -> PredictionStore | None:
    """The dataset's store where predictions could have been imported; None where the data
    folder has no database yet (nothing is created just to find nothing)."""
    data = userdirs.data_dir(args.data_dir)
    if not (Path(data) / DATABASE_NAME).exists():
        return None
    return PredictionStore.for_index(data, index)


def load_model(args: argparse.Namespace, index: DatasetIndex) -> Predictions | None:
    """The model ``args.model`` (or the latest import); None when none was imported and
    none was named. A named model that is not stored raises PredictionsError."""
    store = existing_store(args, index)
    if store is None or not store.models():
        if getattr(args, "model", None):
            raise PredictionsError(f"no model {args.model!r} for this dataset")
        return None
    return store.load(index, args.model)


def run(args: argparse.Namespace, hierarchy: Hierarchy) -> int:
    if args.model is not None and not args.import_:
        raise UsageError(f"{PROG} predictions: --model goes with --import")
    index = open_index(args, hierarchy)
    try:
        store = store_for(args, index)
        if args.list:
            models = [m.as_dict() for m in store.models()]
            if args.json:
                emit({"models": models})
            for model in [] if args.json else models:
                print(
                    f"{model['name']}: {model['kind']}, {model['images']:,} images, "
                    f"{model['classes']:,} classes, imported {model['imported']} "
                    f"from {model['source']}"
                )
            return 0
        if args.remove is not None:
            if not store.remove(args.remove):
                print(f"{PROG}: no model {args.remove!r} for this dataset", file=sys.stderr)
                return 1
            return 0
        report = import_predictions(store, index, args.import_, args.model)
    except (PredictionFileError, PredictionsError, OSError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    return _report(args, report)


def _report(args: argparse.Namespace, report: ImportReport) -> int:
    stored = report.stored
    summary = {
        "model": report.model.as_dict(),
        "stored": stored,
        "replaced": report.replaced,
        "unknown_paths": report.unknown_paths,
        "unknown_classes": report.unknown_classes,
        "label_not_among_classes": report.label_not_among_classes,
        "problems": [
            {**json_path(p.file, "file"), "line": p.line, "reason": p.reason}
            for p in report.problems
        ],
    }
    if args.json:
        emit(summary)
    else:
        verb = "replaced" if report.replaced else "stored"
        if stored:
            print(
                f"{report.model.name}: {plural(report.model.images, 'image')} {verb} "
                f"({report.model.kind}, {plural(report.model.classes, 'class')})"
            )
        if report.label_not_among_classes:
            print(
                f"{plural(report.label_not_among_classes, 'image')} labelled with a class "
                "the model does not have: left out of the ranking and the accuracies"
            )
        print_limited([f"  {p}" for p in report.problems], limit=50)
        if report.problems:
            print(f"{plural(len(report.problems), 'problem')} (each row left out)")
    return 0 if stored else 1


def add_to_entries(
    args: argparse.Namespace, index: DatasetIndex, entries: list[dict[str, Any]], nodes: list[int]
) -> None:
    """``stats --json``: each entry gains ``predictions`` where a model is imported (the
    entries of a dataset without predictions stay as they were)."""
    predictions = load_model(args, index)
    if predictions is None:
        return
    # Only now: a dataset without predictions (most) pays nothing for ranking them.
    from browser.core.predictions.mistakes import Severity, summarise
    from browser.core.predictions.suspects import rank_suspects

    ranking = rank_suspects(index, predictions)
    summary = summarise(index, predictions, ranking, Severity(index.hierarchy))
    for entry, node in zip(entries, nodes, strict=True):
        entry["predictions"] = {**summary.node(node), "method": ranking.method}
