"""The headless commands start without what only other commands or the window need: Qt,
Pillow, cleanlab and Dask cost most of a command's start-up and `stats` uses none of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MakeFiles

HEAVY = ("PySide6", "PIL", "cleanlab", "distributed", "dask", "nltk", "sklearn", "pandas")

RUN = """
import json, sys
from browser.app import main
status = main(sys.argv[1:])
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print(json.dumps({{"status": status, "heavy": loaded}}))
"""


@pytest.mark.parametrize(
    "command",
    [["scan"], ["stats"], ["stats", "n00001740", "--json"], ["stats", "n01440764"]],
)
def test_a_command_imports_no_gui_image_or_cluster_library(
    tmp_path: Path, make_files: MakeFiles, command: list[str]
) -> None:
    root = make_files(tmp_path / "ds", ["n01440764/a.JPEG", "n01443537/b.JPEG"])
    cache = tmp_path / "cache"
    argv = [command[0], str(root), *command[1:], "--cache-dir", str(cache)]
    argv += ["--data-dir", str(tmp_path / "data")]
    for _ in range(2):  # the first run scans and stores, the second reopens
        done = subprocess.run(
            [sys.executable, "-c", RUN.format(heavy=HEAVY), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result == {"status": 0, "heavy": []}
