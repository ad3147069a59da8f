"""The list of recently opened datasets, kept in the user's data folder."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
_KEEP = 10


class RecentDatasets:
    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / "recent.json"

    def load(self) -> list[str]:
        try:
            items = json.loads(self.file.read_text())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.file, exc)
            return []
        return [p for p in items if isinstance(p, str)][:_KEEP]

    def add(self, path: str) -> list[str]:
        items = [path, *(p for p in self.load() if p != path)][:_KEEP]
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(items, indent=1))
            os.replace(tmp, self.file)
        except OSError as exc:
            log.warning("cannot save the recent datasets to %s: %s", self.file, exc)
        return items
