"""What a user installs with `pip install .` must hold every module and resource."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_every_module_and_resource(tmp_path: Path) -> None:
    # Built from a clean copy: a build/ folder left in the checkout would fill in what the
    # package configuration misses (it hid exactly that once).
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("synset_browser-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "browser").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    resources = {
        "browser/resources/" + str(p.relative_to(ROOT / "resources"))
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert resources <= names, sorted(resources - names)


# What PySide6-Essentials ships (the PySide6 meta-package adds the Addons: WebEngine, 3D,
# Charts, Multimedia, … about 400 MB more in a venv).
ESSENTIALS = {
    "QtCore", "QtGui", "QtWidgets", "QtConcurrent", "QtDBus", "QtNetwork", "QtOpenGL",
    "QtOpenGLWidgets", "QtPrintSupport", "QtSql", "QtSvg", "QtSvgWidgets", "QtTest", "QtXml",
}  # fmt: skip


def test_the_app_depends_only_on_the_qt_it_uses() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    qt = [d for d in project["dependencies"] if d.lower().startswith("pyside6")]
    assert qt, "no Qt dependency"
    assert all(d.startswith("PySide6-Essentials") for d in qt), qt
    # PySide6 6.12.0 aborts Python 3.11 (tests/qt/test_pyside_void_calls.py).
    assert any("<6.12" in d and "python_version < '3.12'" in d for d in qt), qt
    used = {
        module
        for folder in ("browser", "scripts", "benchmarks", "tests")
        for path in (ROOT / folder).rglob("*.py")
        for module in re.findall(r"\bPySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    assert used, "no Qt module found: the scan is wrong"
    assert used <= ESSENTIALS, sorted(used - ESSENTIALS)
