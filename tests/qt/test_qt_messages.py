"""Qt's own messages go into logging; the ICC-profile grumbles of ImageNet JPEGs stay quiet."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import cast

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType

from browser.qt.app import _qt_message


def context(category: str) -> QMessageLogContext:
    # Qt fills the real one in; only its category is read.
    return cast(QMessageLogContext, SimpleNamespace(category=category))


@pytest.mark.parametrize(
    ("category", "level"), [("qt.gui.icc", logging.DEBUG), ("qt.qpa.xcb", logging.WARNING)]
)
def test_qt_messages_are_logged_by_category(
    caplog: pytest.LogCaptureFixture, category: str, level: int
) -> None:
    with caplog.at_level(logging.DEBUG):
        _qt_message(QtMsgType.QtWarningMsg, context(category), "fromIccProfile: failed")
    (record,) = [r for r in caplog.records if r.name == f"qt.{category}"]
    assert record.levelno == level
    assert record.getMessage() == "fromIccProfile: failed"
