"""PySide6 6.12.0 on Python 3.11 aborts after a few thousand calls of void methods.

pyproject.toml keeps that pair from being installed; this guards the constraint.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_hundred_thousand_void_calls_do_not_abort_the_interpreter() -> None:
    script = textwrap.dedent(
        """
        from PySide6.QtCore import QObject
        obj = QObject()
        for i in range(100_000):
            obj.setObjectName("a")
        print("survived")
        """
    )
    # A subprocess, because the bug kills the interpreter ("Fatal Python error: none_dealloc").
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"
