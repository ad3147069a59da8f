"""browser.core must work where Qt cannot even be imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_every_core_module_imports_without_qt() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class NoQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
                    raise ImportError(f"Qt is not allowed in browser.core: {name}")
                return None

        sys.meta_path.insert(0, NoQt())
        import browser.core
        names = [m.name for m in pkgutil.walk_packages(browser.core.__path__, "browser.core.")]
        for name in names:
            importlib.import_module(name)
        assert not [m for m in sys.modules if m.startswith(("PySide6", "shiboken6"))]
        print(len(names))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 10  # every core module was really imported
