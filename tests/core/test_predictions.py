"""Predictions of a model for a dataset: stored per dataset, ranked so that the planted label
errors come first, mistakes measured through the hierarchy, and each image counted once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.taxonomies import Taxonomy, build
from browser.core.predictions.confusion import confusion
from browser.core.predictions.mistakes import Severity, summarise
from browser.core.predictions.store import PredictionsError, PredictionStore, import_predictions
from browser.core.predictions.suspects import CLEANLAB, OTHER_CLASS, SELF_CONFIDENCE, rank_suspects
from tests.core.predictions_data import Planted, plant, write_images


@pytest.fixture(scope="module")
def planted(hierarchy: Hierarchy) -> Planted:
    return plant(hierarchy)


@pytest.fixture(scope="module")
def index(
    planted: Planted,
    hierarchy: Hierarchy,
    tmp_path_factory: pytest.TempPathFactory,
    jpeg_bytes: bytes,
) -> DatasetIndex:
    base = tmp_path_factory.mktemp("planted")
    root = write_images(base / "ds", planted.relpaths, jpeg_bytes)
    return open_dataset(root, hierarchy, cache_dir=base / "cache")


def _store(tmp_path: Path, index: DatasetIndex) -> PredictionStore:
    return PredictionStore.for_index(tmp_path / "data", index)


def _import_npz(tmp_path: Path, index: DatasetIndex, planted: Planted, name: str = "m") -> None:
    np.savez(
        tmp_path / f"{name}.npz",
        paths=np.array(planted.relpaths),
        probs=planted.probs,
        classes=np.array(planted.classes),
    )
    report = import_predictions(_store(tmp_path, index), index, str(tmp_path / f"{name}.npz"))
    assert report.stored, report.problems


def _precision_at_k(index: DatasetIndex, planted: Planted, rows: np.ndarray) -> float:
    wrong = {p for p, bad in zip(planted.relpaths, planted.planted.tolist(), strict=True) if bad}
    k = len(wrong)
    return sum(index.relpath(int(r)) in wrong for r in rows[:k]) / k


def test_the_synthetic_model_makes_realistic_mistakes(planted: Planted) -> None:
    # The ranking is not trivial: the model is wrong on 10–20 % of images, mostly siblings.
    wrong = planted.model_wrong
    assert 0.10 <= wrong.mean() <= 0.20
    predicted = planted.probs.argmax(axis=1)
    groups = np.array(planted.group_of)
    assert (groups[predicted[wrong]] == groups[planted.truth[wrong]]).mean() > 0.6


@pytest.mark.parametrize(
    ("use_cleanlab", "method", "at_least"), [(True, CLEANLAB, 0.8), (False, SELF_CONFIDENCE, 0.8)]
)
def test_planted_label_errors_rank_first(
    tmp_path: Path,
    index: DatasetIndex,
    planted: Planted,
    use_cleanlab: bool,
    method: str,
    at_least: float,
) -> None:
    _import_npz(tmp_path, index, planted)
    predictions = _store(tmp_path, index).load(index)
    ranking = rank_suspects(index, predictions, use_cleanlab=use_cleanlab)
    assert ranking.method == method
    assert len(ranking) == len(planted.relpaths)
    assert (np.diff(ranking.score) <= 0).all()  # most suspicious first
    # 12 planted errors among 240 images, 36 of which the model gets wrong: measured 11/12.
    assert _precision_at_k(index, planted, ranking.rows) >= at_least
    if method == CLEANLAB:
        flagged = {index.relpath(int(r)) for r in ranking.rows[ranking.flagged]}
        wrong = {p for p, bad in zip(planted.relpaths, planted.planted, strict=True) if bad}
        assert len(flagged & wrong) >= len(wrong) // 2
    else:
        assert not ranking.flagged.any()
        assert any("synset-browser[labels]" in note for note in ranking.notes)


def test_top_k_predictions_rank_by_confidence_in_another_class_and_say_it_is_weaker(
    tmp_path: Path, index: DatasetIndex, planted: Planted
) -> None:
    source = tmp_path / "top5.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for path, row in zip(planted.relpaths, planted.probs, strict=True):
            best = np.argsort(-row)[:5]
            top = [[planted.classes[c], round(float(row[c]), 5)] for c in best]
            handle.write(json.dumps({"path": path, "top": top}) + "\n")
    store = _store(tmp_path, index)
    import_predictions(store, index, str(source))
    ranking = rank_suspects(index, store.load(index, "top5"))
    assert ranking.method == OTHER_CLASS
    assert any("weaker" in note for note in ranking.notes)
    assert _precision_at_k(index, planted, ranking.rows) >= 0.6


def test_with_one_image_per_class_nothing_is_flagged_but_the_ranking_works(
    tmp_path: Path, hierarchy: Hierarchy, planted: Planted, jpeg_bytes: bytes
) -> None:
    # One image of each class: cleanlab warns per class; the warnings become one note and
    # never an exception (the suite runs with filterwarnings = error).
    firsts = [planted.relpaths.index(p) for p in dict.fromkeys(planted.relpaths)][:0]
    chosen = [int(np.flatnonzero(planted.given == c)[0]) for c in range(len(planted.classes))]
    del firsts
    relpaths = [planted.relpaths[i] for i in chosen]
    root = write_images(tmp_path / "one", relpaths, jpeg_bytes)
    one = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    np.savez(
        tmp_path / "one.npz",
        paths=np.array(relpaths),
        probs=planted.probs[chosen],
        classes=np.array(planted.classes),
    )
    store = _store(tmp_path, one)
    import_predictions(store, one, str(tmp_path / "one.npz"))
    ranking = rank_suspects(one, store.load(one))
    assert ranking.method == CLEANLAB
    assert len(ranking) == len(chosen)
    assert not ranking.flagged.any()
    assert any("too few images" in note for note in ranking.notes)


def test_models_are_kept_per_dataset_reimport_replaces_and_the_latest_is_the_default(
    tmp_path: Path, index: DatasetIndex, planted: Planted
) -> None:
    store = _store(tmp_path, index)
    with pytest.raises(PredictionsError, match="no predictions imported"):
        store.load(index)
    _import_npz(tmp_path, index, planted, "first")
    _import_npz(tmp_path, index, planted, "second")
    assert [m.name for m in store.models()] == ["second", "first"]
    assert store.load(index).info.name == "second"
    # Importing "first" again replaces it (fewer images now) and makes it the latest.
    half = planted.relpaths[:100]
    np.savez(
        tmp_path / "first.npz",
        paths=np.array(half),
        probs=planted.probs[:100],
        classes=np.array(planted.classes),
    )
    report = import_predictions(store, index, str(tmp_path / "first.npz"))
    assert report.replaced
    assert store.load(index).info.name == "first"
    assert len(store.load(index, "first")) == 100
    assert store.remove("first")
    assert not store.remove("first")
    assert [m.name for m in store.models()] == ["second"]
    with pytest.raises(PredictionsError, match="no model 'first'"):
        store.load(index, "first")
    assert not list(store.folder.glob(".*.tmp"))  # nothing half-written left behind


def test_unknown_paths_and_wnids_are_reported_by_line_and_the_rest_imported(
    tmp_path: Path, index: DatasetIndex, planted: Planted
) -> None:
    source = tmp_path / "m.csv"
    known, label = planted.relpaths[0], planted.classes[planted.given[0]]
    lines = [
        "path,predicted,confidence",
        f"{known},{label},0.9",
        f"train/{label}/missing.JPEG,{label},0.9",
        f"{planted.relpaths[1]},n99999999,0.5",
        f"{planted.relpaths[2][3:]},{label},0.5",  # a suffix of a real path: no match
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_predictions(_store(tmp_path, index), index, str(source))
    assert report.stored
    assert report.model.images == 1
    assert (report.unknown_paths, report.unknown_classes) == (2, 1)
    found = sorted((p.line, p.reason) for p in report.problems)
    assert [line for line, _ in found] == [3, 4, 5]
    assert "unknown wnid n99999999" in found[1][1]


@pytest.mark.parametrize("at_once", [2, 131072])
def test_paths_matched_a_slice_at_a_time_find_the_same_rows(
    tmp_path: Path,
    index: DatasetIndex,
    planted: Planted,
    at_once: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Matching in slices (to bound memory) finds each path's row wherever slices cut, in
    any order of the paths, and -1 for a path the dataset lacks."""
    from browser.core.predictions import store as module

    monkeypatch.setattr(module, "_MATCH_AT_ONCE", at_once)
    shuffled = list(reversed(planted.relpaths)) + ["train/nowhere/x.JPEG"]
    rows = module.rows_of(index, shuffled)
    assert [index.relpath(int(r)) for r in rows[:-1]] == shuffled[:-1]
    assert rows[-1] == -1


def test_images_whose_label_the_model_lacks_are_counted_and_not_ranked(
    tmp_path: Path, index: DatasetIndex, planted: Planted
) -> None:
    # A model of the dog classes only: the fish images' labels are not among its classes.
    dogs = [i for i, g in enumerate(planted.group_of) if g != "fish"]
    probs = planted.probs[:, dogs] / planted.probs[:, dogs].sum(axis=1, keepdims=True)
    np.savez(
        tmp_path / "dogs.npz",
        paths=np.array(planted.relpaths),
        probs=probs,
        classes=np.array([planted.classes[c] for c in dogs]),
    )
    store = _store(tmp_path, index)
    report = import_predictions(store, index, str(tmp_path / "dogs.npz"))
    fish = int(
        np.isin(planted.given, [i for i, g in enumerate(planted.group_of) if g == "fish"]).sum()
    )
    assert report.label_not_among_classes == fish
    ranking = rank_suspects(index, store.load(index))
    assert ranking.unranked == fish
    assert len(ranking) == len(planted.relpaths) - fish


def small_dag() -> Hierarchy:
    """root ─ animal ─ dog ─ {hound, terrier}; hound ─ beagle; terrier ─ cairn;
    animal ─ pet ─ cairn (cairn has two parents); root ─ vehicle ─ car."""
    taxonomy = Taxonomy("test")
    for child, parent in [
        ("animal", "root"),
        ("vehicle", "root"),
        ("car", "vehicle"),
        ("dog", "animal"),
        ("hound", "dog"),
        ("terrier", "dog"),
        ("beagle", "hound"),
        ("cairn", "terrier"),
        ("pet", "animal"),
        ("cairn", "pet"),
    ]:
        taxonomy.node(child).name = child
        taxonomy.node(parent).name = parent
        taxonomy.link(child, parent)
    return build(taxonomy, "root")


@pytest.mark.parametrize(
    ("label", "predicted", "severity", "ancestor"),
    [
        ("beagle", "beagle", 0, "beagle"),
        ("hound", "terrier", 1, "dog"),  # siblings
        ("beagle", "hound", 1, "hound"),  # the parent
        ("beagle", "cairn", 2, "dog"),  # cousins through dog
        # cairn reaches animal in 2 edges through pet, 3 through terrier: the minimum counts.
        ("cairn", "pet", 1, "pet"),
        ("cairn", "dog", 2, "dog"),
        ("beagle", "pet", 3, "animal"),  # beagle→animal 3, pet→animal 1: max is 3
        ("cairn", "car", 3, "root"),  # cairn→root 3 via pet, car→root 2
        ("beagle", "car", 4, "root"),
    ],
)
def test_mistake_severity_on_a_dag_is_the_minimax_height_of_a_common_ancestor(
    label: str, predicted: str, severity: int, ancestor: str
) -> None:
    dag = small_dag()
    measure = Severity(dag)
    assert measure.common(dag.index(label), dag.index(predicted)) == (dag.index(ancestor), severity)
    assert measure.of(dag.index(predicted), dag.index(label)) == severity  # symmetric


def test_severities_in_bulk_are_each_pairs_own() -> None:
    """Every pair of the small DAG (multi-parent cairn, two roots under root): the bulk
    computation gives what one pair at a time gives, -1 for an unknown class."""
    dag = small_dag()
    measure = Severity(dag)
    nodes = np.arange(len(dag))
    labels = np.repeat(nodes, len(dag) + 1)
    predicted = np.tile(np.append(nodes, -1), len(dag))
    expected = [
        measure.of(int(a), int(b)) if b >= 0 else -1 for a, b in zip(labels, predicted, strict=True)
    ]
    assert Severity(dag).many(labels, predicted).tolist() == expected


def test_relations_read_as_a_user_would_say_them() -> None:
    dag = small_dag()
    measure = Severity(dag)
    assert measure.relation(dag.index("hound"), dag.index("terrier")) == "sibling under dog"
    assert measure.relation(dag.index("beagle"), dag.index("car")) == (
        "different: vehicle vs animal (severity 4)"
    )


def test_rollups_count_each_image_once_under_every_ancestor(
    tmp_path: Path, hierarchy: Hierarchy, planted: Planted, jpeg_bytes: bytes
) -> None:
    # Two ILSVRC classes that reach their ancestors along several paths.
    multi = [w for w in planted.classes if len(hierarchy.hypernym_paths(hierarchy.index(w))) > 1]
    from browser.core.hierarchy.ilsvrc import ilsvrc_wnids

    if len(multi) < 2:
        multi = [
            w for w in ilsvrc_wnids() if len(hierarchy.hypernym_paths(hierarchy.index(w))) > 1
        ][:2]
    a, b = multi[:2]
    relpaths = [f"{a}/a{i}.JPEG" for i in range(6)] + [f"{b}/b{i}.JPEG" for i in range(4)]
    root = write_images(tmp_path / "multi", relpaths, jpeg_bytes)
    dataset = open_dataset(root, hierarchy, cache_dir=tmp_path / "cache")
    classes = [a, b]
    probs = np.array([[0.9, 0.1]] * 5 + [[0.2, 0.8]] + [[0.3, 0.7]] * 3 + [[0.6, 0.4]], np.float32)
    np.savez(tmp_path / "m.npz", paths=np.array(relpaths), probs=probs, classes=np.array(classes))
    store = _store(tmp_path, dataset)
    import_predictions(store, dataset, str(tmp_path / "m.npz"))
    predictions = store.load(dataset)
    ranking = rank_suspects(dataset, predictions)
    summary = summarise(dataset, predictions, ranking, Severity(hierarchy))
    root_entry = summary.node(hierarchy.root)
    assert root_entry["images"] == 10
    assert root_entry["top1"] == pytest.approx(8 / 10)
    assert root_entry["top5"] == 1.0  # two classes: always among the top 5
    expected = Severity(hierarchy).of(hierarchy.index(a), hierarchy.index(b))
    assert root_entry["mistake_severity"] == pytest.approx(expected)
    assert summary.node(hierarchy.index(a))["images"] == 6
    # Every ancestor of a counts its six images once, however many paths lead there.
    for ancestor in hierarchy.ancestors(hierarchy.index(a)) - hierarchy.ancestors(
        hierarchy.index(b)
    ):
        assert summary.node(ancestor)["images"] == 6


def test_confusion_cells_count_each_image_in_its_row_and_column(
    tmp_path: Path, index: DatasetIndex, planted: Planted, hierarchy: Hierarchy
) -> None:
    _import_npz(tmp_path, index, planted)
    predictions = _store(tmp_path, index).load(index)
    ranking = rank_suspects(index, predictions)
    view = DatasetView(index)
    dog = hierarchy.index("n02084071")
    matrix = confusion(view, ranking, dog)
    assert matrix.by == "classes"  # 8 dog classes: at most 60
    assert matrix.names[-1] == "outside dog"
    # By hand: each image's row is its label, its column its prediction, outside = not a dog.
    axis = {node: i for i, node in enumerate(matrix.nodes)}
    below = view.below(dog)
    expected = np.zeros_like(matrix.counts)
    for label, predicted in zip(
        ranking.label_nodes.tolist(), ranking.predicted.tolist(), strict=True
    ):
        i = axis[label] if below[label] else matrix.outside
        j = axis[predicted] if below[predicted] else matrix.outside
        if i != matrix.outside or j != matrix.outside:
            expected[i, j] += 1
    assert (matrix.counts == expected).all()
    for i in range(len(matrix.names)):
        for j in range(len(matrix.names)):
            assert len(matrix.cell_rows(i, j)) == matrix.counts[i, j]
    inside = int(matrix.counts[:-1, :-1].sum() - np.trace(matrix.counts[:-1, :-1]))
    assert matrix.errors_inside == inside
    assert matrix.errors == inside + int(matrix.counts[:-1, -1].sum())
    assert matrix.caption("dog") == (
        f"of {matrix.errors} errors under dog, {inside} are another dog; "
        f"{matrix.errors - inside} leave it"
    )


def test_a_synset_with_many_classes_is_split_by_its_children(
    tmp_path: Path,
    index: DatasetIndex,
    planted: Planted,
    hierarchy: Hierarchy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from browser.core.predictions import confusion as module

    monkeypatch.setattr(module, "MAX_CLASSES", 3)
    _import_npz(tmp_path, index, planted)
    ranking = rank_suspects(index, _store(tmp_path, index).load(index))
    dog = hierarchy.index("n02084071")
    matrix = confusion(DatasetView(index), ranking, dog)
    assert matrix.by == "children"
    assert {hierarchy.wnid(n) for n in matrix.nodes} >= {"n02087122"}  # hunting dog
    dogs = int(view_count(index, dog))
    assert int(matrix.counts[:-1].sum()) == dogs  # each dog image in exactly one row


def view_count(index: DatasetIndex, node: int) -> int:
    return len(DatasetView(index).rows(node))
