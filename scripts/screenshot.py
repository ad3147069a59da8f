"""Take a screenshot of the app on a dataset (for docs/screenshots; run under xvfb-run).

Usage: xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshot.py DATASET OUT.png
           [--select WNID] [--zoom PX] [--preview] [--search TEXT] [--width W --height H]
           [--tab Facts|Statistics|Map] [--dark]
           [--review] [--verdicts KEYS] [--note TEXT] [--position N] [--export] [--audit]
           [--collapse] [--plant-copies] [--duplicates] [--group N]
           [--colour none|error|coverage|accuracy] [--random-verdicts N]

--verdicts presses review keys (e.g. 2135) from the first image on; --note then writes a
note on the image at --position, which is current when the picture is taken.
--plant-copies opens a copy of the demo with a few planted duplicates (one image copied
under another label, into the other split, and resized); --duplicates shows the Duplicates
dialog on group --group. --random-verdicts gives N verdicts per class below the selection
(seeded, about one in six a wrong label) so that --colour has something to colour by.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from browser.core.dataset.demo import build_demo
from browser.core.hierarchy.wordnet import load_hierarchy
from browser.qt.app import build_window
from browser.qt.widgets.duplicates_dialog import DuplicatesDialog
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


def plant_copies(source: Path, target: Path) -> Path:
    """A copy of the demo with planted duplicates: a golden retriever of train copied under
    Chihuahua in val (a copy with another label), into val (a split leak), and resized."""
    shutil.copytree(source, target)
    golden, chihuahua = "n02099601", "n02085620"
    original = target / "train" / golden / f"{golden}_train_0001.JPEG"
    shutil.copy(original, target / "val" / chihuahua / f"{chihuahua}_val_copy.JPEG")
    shutil.copy(original, target / "val" / golden / f"{golden}_val_copy.JPEG")
    with Image.open(original) as picture:
        smaller = picture.resize((picture.width // 2, picture.height // 2))
    smaller.save(target / "train" / golden / f"{golden}_train_small.JPEG", quality=70)
    tabby = target / "train" / "n02123045" / "n02123045_train_0002.JPEG"
    shutil.copy(tabby, target / "train" / "n02123045" / "n02123045_train_again.JPEG")
    return target


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
    parser.add_argument("--plant-copies", action="store_true", help="a demo with duplicates")
    parser.add_argument("--duplicates", action="store_true", help="the Duplicates dialog")
    parser.add_argument("--group", type=int, default=0, help="the duplicate group shown")
    parser.add_argument("--colour", help="colour the Map tab by: error, coverage, accuracy")
    parser.add_argument("--random-verdicts", type=int, default=0, help="verdicts per class")
    parser.add_argument("--side-width", type=int, help="width of the side panel (the Map)")
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
    if args.plant_copies:
        target = str(plant_copies(Path(target), data / "with-copies"))
    if target != "welcome":
        node = window.hierarchy.find(args.select) if args.select else None
        window.open_dataset(target, select=node)

    exporting: list[ExportDialog | None] = []
    dialogs: list[QWidget] = []

    def after_open() -> None:
        if args.review or args.verdicts or args.note:
            window.review_bar.review_button.setChecked(True)
        window.grid.set_zoom(args.zoom)
        if args.side_width:
            tree, centre, _ = window.splitter.sizes()
            window.splitter.setSizes([tree, centre + _ - args.side_width, args.side_width])
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
        if args.random_verdicts:
            give_random_verdicts(args.random_verdicts)
        if args.colour:
            window.treemap.colour_by(args.colour)
        if args.duplicates:
            found = window.open_duplicates()
            assert found is not None
            dialogs.append(found)
            found.resize(args.width, args.height)
            wait_for_group(found)
            return
        QTimer.singleShot(2500, shoot)

    def give_random_verdicts(per_class: int) -> None:
        view, synset = window.view, window.synset
        assert view is not None
        assert synset is not None
        rows = view.rows(synset)
        chooser = random.Random(17)
        for label in sorted(set(view.index.labels[rows].tolist())):
            members = rows[view.index.labels[rows] == label].tolist()
            wrong = chooser.choice([0.0, 0.05, 0.1, 0.2, 0.35])
            if chooser.random() < 0.2:
                continue  # a class nobody reviewed: grey on the map
            for row in chooser.sample(members, min(per_class, len(members))):
                verdict = "wrong_label" if chooser.random() < wrong else "correct"
                window.review.give(window.dataset, view.index.relpath(row), verdict)

    def wait_for_group(found: DuplicatesDialog) -> None:
        ready = found.list.count() > args.group
        if ready and found.list.currentRow() != args.group:
            found.list.setCurrentRow(args.group)
        view = found.group_view
        if ready and view.thumbnails_shown() == len(view.cards):
            QTimer.singleShot(500, shoot)
        else:
            QTimer.singleShot(200, lambda: wait_for_group(found))

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
