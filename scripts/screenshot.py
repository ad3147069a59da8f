"""Take a screenshot of the app on a dataset (for docs/screenshots; run under xvfb-run).

Usage: xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshot.py DATASET OUT.png
           [--select WNID] [--zoom PX] [--preview] [--search TEXT] [--width W --height H]
           [--tab Facts|Statistics|Map] [--dark]
           [--review] [--verdicts KEYS] [--note TEXT] [--position N] [--export] [--audit]
           [--collapse]

--verdicts presses review keys (e.g. 2135) from the first image on; --note then writes a
note on the image at --position, which is current when the picture is taken.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from browser.core.dataset.demo import build_demo
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.qt.app import build_window
from browser.qt.widgets.export_dialog import ExportDialog
from browser.qt.window.review_keys import VERDICT_KEYS


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#333333",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2d6bb5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#7fb2ff",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.ToolTipBase: "#333333",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    return palette


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset")
    parser.add_argument("out", type=Path)
    parser.add_argument("--select")
    parser.add_argument("--zoom", type=int, default=128)
    parser.add_argument("--preview", action="store_true")
    parser.add_argument("--search")
    parser.add_argument("--width", type=int, default=1500)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--dark", action="store_true", help="Fusion style with a dark palette")
    parser.add_argument("--real-only", action="store_true", help="tick 'Only where ReaL disagrees'")
    parser.add_argument("--position", type=int, default=0, help="the current image in the grid")
    parser.add_argument("--tab", help="the side tab to show, by its title (Statistics, Map)")
    parser.add_argument("--review", action="store_true", help="review mode on")
    parser.add_argument("--verdicts", default="", help="review keys pressed from the first image")
    parser.add_argument("--note", help="a note on the image at --position")
    parser.add_argument("--export", action="store_true", help="the Export dialog (Ctrl+E)")
    parser.add_argument("--audit", action="store_true", help="the Audit sample dialog")
    parser.add_argument(
        "--collapse", action="store_true", help="'Collapse all but this' in the tree"
    )
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    if args.dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="synset-shot-"))
    data = Path(tempfile.mkdtemp(prefix="synset-shot-data-"))
    demo = str(build_demo(cache))
    window = build_window(load_hierarchy(), cache, data)
    window.resize(args.width, args.height)
    window.show()
    target = demo if args.dataset == "demo" else args.dataset
    if target != "welcome":
        node = window.hierarchy.find(args.select) if args.select else None
        window.open_dataset(target, select=node)

    exporting: list[ExportDialog | None] = []
    dialogs: list[QWidget] = []

    def after_open() -> None:
        if args.review or args.verdicts or args.note:
            window.review_bar.review_button.setChecked(True)
        window.grid.set_zoom(args.zoom)
        if args.tab:
            tabs = window.side_tabs
            titles = [tabs.tabText(i).replace("&", "") for i in range(tabs.count())]
            if args.tab not in titles:
                sys.exit(f"screenshot.py: no tab {args.tab!r}; there are {', '.join(titles)}")
            tabs.setCurrentIndex(titles.index(args.tab))
        if args.real_only:
            window.real_box.setChecked(True)
        for key in args.verdicts:
            window.review_keys.give(VERDICT_KEYS[key])
        if args.position or args.verdicts:
            window.grid.set_current_position(args.position)
        if args.note:
            model = window.grid_model
            relpath = model.relpath_at(args.position) or ""
            old = window.review.verdict_of(model.dataset, relpath)
            window.review.give(model.dataset, relpath, old.verdict if old else None, note=args.note)
        if args.search:
            window.activateWindow()
            window.search_box.setFocus()
            window.search_box.setText(args.search)
            window.search_box.update_suggestions()
            completer = window.search_box.completer()
            if completer is not None:
                completer.complete()  # no window manager under Xvfb gives the field focus
        if args.preview:
            window.open_preview()
        if args.export:
            exporting.append(window.open_export())
        if args.collapse:
            window.tree.collapse_all_but_current()
        if args.audit:
            window.audit_sample()
            dialogs.append(window.audit_dialog)
        QTimer.singleShot(2500, shoot)

    def shoot() -> None:
        dialog = exporting[0] if exporting else None
        widget: QWidget = window.preview if args.preview and window.preview else dialog or window
        if dialogs:
            widget = dialogs[0]
        screen = QApplication.primaryScreen()
        if args.search:
            picture = screen.grabWindow(0, window.x(), window.y(), window.width(), window.height())
        else:
            picture = widget.grab()
        picture.save(str(args.out))
        print(f"saved {args.out}")
        window.close()
        app.quit()

    window.tasks.opened.connect(lambda _: QTimer.singleShot(300, after_open))
    if target == "welcome":
        QTimer.singleShot(800, shoot)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
