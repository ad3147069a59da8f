"""The Audit sample dialog's "suspects first" order (issue 17): offered once a model's
predictions are loaded, disabled with the reason before; it follows the suspect ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.audit_dialog import NO_MODEL, AuditDialog
from browser.qt.window.main_window import MainWindow
from tests.integration.windows import import_model, open_planted


def _dialog(window: MainWindow, hierarchy: Hierarchy) -> AuditDialog:
    window.select_synset(hierarchy.root)
    window.review_bar.audit_button.click()
    dialog = window.audit_dialog
    assert isinstance(dialog, AuditDialog)
    return dialog


def test_suspects_first_is_offered_once_predictions_exist_and_follows_the_ranking(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy, jpeg_bytes: bytes
) -> None:
    window, planted = open_planted(qtbot, tmp_path, hierarchy, jpeg_bytes)
    before = _dialog(window, hierarchy)
    assert not before.suspects.isEnabled()
    assert before.suspects.toolTip() == NO_MODEL
    before.reject()
    import_model(qtbot, window, planted, tmp_path)
    state = window.predictions.state
    assert state is not None
    dialog = _dialog(window, hierarchy)
    assert dialog.suspects.isEnabled()
    dialog.per_class.setValue(10)  # every image: the planted errors are in the sample
    dialog.grouped.setChecked(True)
    sample = dialog.rows()
    dialog.suspects.setChecked(True)
    ordered = dialog.rows()
    assert sorted(ordered.tolist()) == sorted(sample.tolist())  # the same sample, reordered
    ranks = state.rank_of_row[ordered]
    ranked = ranks[ranks >= 0]
    assert len(ranked)
    assert (np.diff(ranked) > 0).all()  # most suspicious first
    assert (ranks[: len(ranked)] >= 0).all()  # the unranked after them
    suspected = state.suspected_row[ordered]
    assert suspected.any()  # the planted errors are there to be found
    assert "suspects" in dialog.describe()
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    shown = [window.grid_model.image_row(p) for p in range(window.grid_model.count())]
    assert shown == ordered.tolist()
    window.close()
