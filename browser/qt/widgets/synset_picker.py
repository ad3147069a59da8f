"""SynsetPicker: choose a synset by typing (lemma, wnid or gloss words), each hit shown with
its hierarchy path — what a reviewer uses to propose the right label."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from browser.core.hierarchy.search import SynsetSearch


class SynsetPicker(QDialog):
    def __init__(self, search: SynsetSearch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Propose the right synset")
        self.search = search
        self.field = QLineEdit(placeholderText="lemma, wnid or gloss words")
        self.hits = QListWidget()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.field, self.hits, buttons):
            layout.addWidget(widget)
        self.field.textChanged.connect(self.update_hits)
        self.field.returnPressed.connect(self.accept)
        self.hits.itemDoubleClicked.connect(lambda _: self.accept())
        self.resize(640, 420)

    def update_hits(self, text: str) -> None:
        self.hits.clear()
        hierarchy = self.search.hierarchy
        for hit in self.search.search(text, limit=30) if text.strip() else []:
            path = hierarchy.hypernym_paths(hit.node)[0]
            trail = " › ".join(hierarchy.name(n) for n in path[-5:-1])
            item = QListWidgetItem(
                f"{hierarchy.name(hit.node)} ({hierarchy.wnid(hit.node)})  —  {trail}"
            )
            item.setData(Qt.ItemDataRole.UserRole, hit.node)
            self.hits.addItem(item)
        if self.hits.count():
            self.hits.setCurrentRow(0)

    def chosen(self) -> int | None:
        item = self.hits.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))
