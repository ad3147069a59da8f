"""The breadcrumb of a deep synset fits any window and keeps the selected synset in view."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.breadcrumb import Breadcrumb
from tests.conftest import TENCH


def test_a_deep_path_scrolls_instead_of_widening_the_window(
    qtbot: QtBot, hierarchy: Hierarchy
) -> None:
    crumbs = Breadcrumb()
    qtbot.addWidget(crumbs)
    path = hierarchy.hypernym_paths(hierarchy.index(TENCH))[0]
    assert len(path) > 12
    crumbs.show_path(hierarchy, [path], 0)
    crumbs.resize(400, crumbs.sizeHint().height())
    crumbs.show()
    qtbot.waitExposed(crumbs)
    assert crumbs.minimumSizeHint().width() < 400  # the path is wider than that
    content = crumbs.widget()
    assert content is not None
    assert content.sizeHint().width() > 400
    last = crumbs.crumbs[-1]
    qtbot.waitUntil(
        lambda: (
            crumbs.viewport().rect().contains(last.geometry().translated(content.pos()).center())
        )
    )
    assert last.text() == "tench"
