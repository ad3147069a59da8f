"""The 1000 ILSVRC-2012 classes, in sorted-wnid order (the order of torchvision's class
indices and of ImageNetV2's folders ``0/`` … ``999/``), shipped in ``resources/ilsvrc``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


def _path() -> Path:
    try:
        path = Path(str(resources.files("browser.resources") / "ilsvrc" / "wnids.txt"))
        if path.exists():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[3] / "resources" / "ilsvrc" / "wnids.txt"


@cache
def ilsvrc_wnids() -> tuple[str, ...]:
    """The 1000 class wnids; position = the class index models are trained with."""
    return tuple(_path().read_text(encoding="ascii").split())


@cache
def ilsvrc_class_index() -> dict[str, int]:
    return {wnid: i for i, wnid in enumerate(ilsvrc_wnids())}
