"""The window on a dataset holding an image over the decode budget: its tile, the panel and
the preview say why it is not shown, and the images around it still are."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from browser.core.hierarchy.dag import Hierarchy
from browser.qt.models.grid_model import FAILURE_ROLE
from tests.conftest import TENCH
from tests.core.test_decode_budget import huge_png
from tests.integration.windows import make_window


def test_an_image_over_the_budget_is_explained_not_decoded(
    qtbot: QtBot, tmp_path: Path, hierarchy: Hierarchy
) -> None:
    root = tmp_path / "ds"
    huge_png(root / f"train/{TENCH}/a-huge.png", 8_000, 8_000)
    Image.new("RGB", (300, 200), (20, 90, 160)).save(root / f"train/{TENCH}/b-fish.JPEG")
    window = make_window(qtbot, tmp_path, hierarchy)
    with qtbot.waitSignal(window.tasks.opened, timeout=20000):
        window.open_dataset(str(root))
    model = window.grid_model
    assert model.count() == 2
    assert window.view is not None
    huge = next(p for p in (0, 1) if window.view.index.name(model.image_row(p)) == "a-huge.png")
    qtbot.waitUntil(lambda: model.index_at(huge).data(FAILURE_ROLE) is not None)
    reason = model.index_at(huge).data(FAILURE_ROLE)
    assert reason.startswith("too large to decode: 8,000 × 8,000 pixels")
    window.grid.set_current_position(huge)
    assert "too large to decode" in window.metadata.toPlainText()
    window.open_preview()
    preview = window.preview
    assert preview is not None
    assert preview.pixmap is None
    assert "too large to decode" in preview.label.text()
    preview.show_position(1 - huge)
    assert preview.pixmap is not None
    assert (preview.pixmap.width(), preview.pixmap.height()) == (300, 200)
    preview.close()
    window.close()
