"""Qt's own messages go into logging; the ICC-profile grumbles of ImageNet JPEGs stay quiet."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType

from browser.qt.app import _qt_message


class Context(QMessageLogContext):
    def __init__(self, category: str) -> None:
        super().__init__()
        self._category = category

    @property  # type: ignore[misc]
    def category(self) -> str:
        return self._category


@pytest.mark.parametrize(
    ("category", "level"), [("qt.gui.icc", logging.DEBUG), ("qt.qpa.xcb", logging.WARNING)]
)
def test_qt_messages_are_logged_by_category(
    caplog: pytest.LogCaptureFixture, category: str, level: int
) -> None:
    with caplog.at_level(logging.DEBUG):
        _qt_message(QtMsgType.QtWarningMsg, Context(category), "fromIccProfile: failed")
    (record,) = [r for r in caplog.records if r.name == f"qt.{category}"]
    assert record.levelno == level
    assert record.getMessage() == "fromIccProfile: failed"
