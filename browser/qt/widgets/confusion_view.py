"""ConfusionDialog: the selected synset's confusion matrix among its children or classes.

Rows are labels, columns predictions, the last of each "outside this synset"; each cell shows
its count, coloured by its share of the row. Clicking a cell shows those images in the grid.

Signals:
    cellChosen(object, str): the dataset rows of the clicked cell, and a title for them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from browser.core.predictions.confusion import Confusion


def shade(share: float) -> QColor:
    """White for 0, a strong blue for a whole row."""
    return QColor(int(255 - 200 * share), int(255 - 140 * share), 255)


class ConfusionDialog(QDialog):
    cellChosen = Signal(object, str)

    def __init__(self, matrix: Confusion, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = matrix
        self.setWindowTitle(f"Confusion under {name}")
        self.caption = QLabel(matrix.caption(name))
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        by = "classes" if matrix.by == "classes" else "children"
        self.help = QLabel(f"Rows: labels; columns: predictions; among its {by}.")
        size = len(matrix.names)
        self.table = QTableWidget(size, size)
        self.table.setHorizontalHeaderLabels(matrix.names)
        self.table.setVerticalHeaderLabels(matrix.names)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        shares = matrix.normalised()
        for i in range(size):
            for j in range(size):
                count = int(matrix.counts[i, j])
                outside = i == j == matrix.outside
                item = QTableWidgetItem("" if outside else f"{count:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(shade(float(shares[i, j]))))
                item.setForeground(QBrush(QColor("black")))
                item.setToolTip(f"labelled {matrix.names[i]}, predicted {matrix.names[j]}")
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.cellClicked.connect(self.choose)
        layout = QVBoxLayout(self)
        for widget in (self.caption, self.help, self.table):
            layout.addWidget(widget)
        self.resize(900, 600)

    def choose(self, i: int, j: int) -> None:
        rows = self.matrix.cell_rows(i, j)
        names = self.matrix.names
        self.cellChosen.emit(rows, f"Labelled {names[i]}, predicted {names[j]}")
