"""Which directory links a scan follows (the policy is in docs/scanning.md).

The real path of a folder always wins over a path through a link: a scan first lists every
folder it can reach without following a directory link, and only then looks at the links it
met. A link is followed only out of the dataset, one hop: to a folder outside the root that
is neither the root's ancestor nor the link's own, that no other path has reached, and only
from a folder that was itself reached without a link. Everything else is reported with its
reason. The decision depends on real paths only, never on the order a folder lists names in.
"""

from __future__ import annotations

import os

ABOVE_ROOT = "link to the dataset folder or a folder above it; not followed"
ABOVE_ITSELF = "link to a folder above itself (a symlink loop); not followed"
INSIDE_ROOT = "link to {target} inside the dataset, which is read at its own path; not followed"
SECOND_HOP = "link inside a folder reached through a link; only one link out is followed"


def is_within(path: str, folder: str) -> bool:
    """True if ``path`` is ``folder`` or lies below it (both real, normalised paths)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refusal(root: str, link: str, *, via_link: bool) -> str | None:
    """Why the directory link at ``link`` (a path below the real ``root``) is not followed, or
    None to follow it. ``via_link``: the link lies in a folder reached through a link."""
    target = os.path.realpath(link)
    if is_within(root, target):
        return ABOVE_ROOT
    if is_within(os.path.realpath(os.path.dirname(link)), target):
        return ABOVE_ITSELF
    if is_within(target, root):
        return INSIDE_ROOT.format(target=os.path.relpath(target, root))
    if via_link:
        return SECOND_HOP
    return None
