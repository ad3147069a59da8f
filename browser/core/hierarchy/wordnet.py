"""The shipped WordNet 3.0 noun hierarchy: compiling it from nltk, and loading it.

nltk needs ~17 s here to walk all noun synsets, far too slow for start-up, so the hierarchy is
compiled once (``scripts/build_wordnet.py``) into a compressed ``.npz`` of flat arrays that
loads in a few tens of milliseconds. The resource sits in ``resources/wordnet/`` beside
WordNet's license, which permits redistribution with its notice.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from browser.core.hierarchy.dag import Hierarchy

log = logging.getLogger(__name__)

RESOURCE_NAME = "wn30_nouns.npz"
FORMAT_VERSION = 1


class HierarchyResourceError(RuntimeError):
    """The compiled hierarchy is missing or unreadable."""


def default_resource_path() -> Path:
    """Where the compiled WordNet lives, in a source checkout and in an installed wheel."""
    try:
        base = resources.files("browser.resources") / "wordnet" / RESOURCE_NAME
        path = Path(str(base))
        if path.exists():
            return path
    except ModuleNotFoundError:
        pass
    # A plain source checkout (no install): resources/ sits beside browser/.
    return Path(__file__).resolve().parents[3] / "resources" / "wordnet" / RESOURCE_NAME


def _join_text(items: Iterable[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _split_text(array: np.ndarray) -> list[str]:
    return array.tobytes().decode("utf-8").split("\n")


# A usage example in a WordNet gloss: a quotation that starts a part of the gloss (after its
# start, a ';', ':', ',' or another example), with those it is chained to by "or" and the
# attribution that may follow ("…"- Bible, "…"--Shakespeare), and that ends that part. A
# quotation followed by more words is part of the definition ("on her beam-ends" means …).
# Some examples lack their closing quote at the end of the gloss.
_EXAMPLE = re.compile(
    r'(?:^|(?<=[;:,"]))\s*"[^"]*(?:"|$)(?:\s+or\s+"[^"]*")*(?:\s*-+\s*[^;"]*)?'
    r'(?=\s*(?:[;:,"]|$))'
)
_PART_EDGES = " \t:,;-"
_PARTS = re.compile(r";(?!')")  # not the quoted semicolon of "a punctuation mark (`;')"


def clean_gloss(gloss: str) -> str:
    """The definition in a WordNet data-file gloss: its usage examples, their attributions
    and the separators they leave are removed ("…age; "so many head of cattle"; "…kine"-
    Bible" → "…age"). nltk's ``definition()`` keeps those fragments ("age; ; ; - Bible")."""
    text = _EXAMPLE.sub("", gloss.replace("\n", " "))
    kept = []
    for part in _PARTS.split(text):
        part = part.strip(_PART_EDGES)
        if part.count('"') % 2:
            # A quotation the data file left open or closed twice: a broken example if the
            # part starts with it; otherwise a stray quote.
            if part.startswith('"'):
                continue
            part = part.replace('"', "").strip(_PART_EDGES)
        if any(c.isalnum() for c in part):
            kept.append(part)
    return "; ".join(kept)


def _raw_glosses(wn: object) -> dict[int, str]:
    """Each noun synset's gloss as the data file has it, by offset."""
    glosses = {}
    with wn.open("data.noun") as data:  # type: ignore[attr-defined]
        for line in data:
            if line.startswith(" "):  # the license header
                continue
            _, _, gloss = line.partition(" | ")
            glosses[int(line[:8])] = gloss.strip()
    return glosses


def ancestor_closure(parents: Sequence[Sequence[int]]) -> list[list[int]]:
    """Every synset's ancestors *including itself*, each listed once however many paths lead up.

    Works in topological order (parents before children) so each set is built from its
    parents' finished sets.
    """
    count = len(parents)
    closure: list[frozenset[int] | None] = [None] * count

    def resolve(start: int) -> None:
        stack = [start]
        while stack:
            node = stack[-1]
            if closure[node] is not None:
                stack.pop()
                continue
            pending = [p for p in parents[node] if closure[p] is None]
            if pending:
                stack.extend(pending)
                continue
            merged: set[int] = {node}
            for parent in parents[node]:
                merged.update(closure[parent] or ())
            closure[node] = frozenset(merged)
            stack.pop()

    for node in range(count):
        resolve(node)
    return [sorted(s) for s in closure if s is not None]


def _noun_exceptions(wn: object) -> list[str]:
    """WordNet's irregular noun inflections (``noun.exc``: "geese goose"), one per line, so
    that search can undo them without nltk's data at run time."""
    with wn.open("noun.exc") as lines:  # type: ignore[attr-defined]
        return [" ".join(line.split()) for line in lines if line.strip()]


def parse_exceptions(lines: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``noun.exc`` lines ("inflected base [base …]", underscores for spaces) as a mapping
    from the inflected form to its base forms, both with spaces."""
    table: dict[str, tuple[str, ...]] = {}
    for line in lines:
        words = [word.replace("_", " ").lower() for word in line.split()]
        if len(words) >= 2:
            table[words[0]] = tuple(words[1:])
    return table


def compile_from_nltk(out_path: Path) -> int:
    """Read WordNet through nltk (``NLTK_DATA`` decides which copy) and write the resource.

    Returns the number of noun synsets written.
    """
    from nltk.corpus import wordnet as wn  # an optional, slow import: only the builder needs it

    synsets = sorted(wn.all_synsets("n"), key=lambda s: s.offset())
    position = {s.offset(): i for i, s in enumerate(synsets)}
    parents = [
        sorted(position[p.offset()] for p in s.hypernyms() + s.instance_hypernyms())
        for s in synsets
    ]
    closure = ancestor_closure(parents)
    raw = _raw_glosses(wn)
    arrays = {
        "format_version": np.array([FORMAT_VERSION], dtype=np.int32),
        "wordnet_version": np.frombuffer(str(wn.get_version()).encode(), dtype=np.uint8),
        "offsets": np.array([s.offset() for s in synsets], dtype=np.int32),
        "parent_ptr": np.cumsum([0] + [len(p) for p in parents], dtype=np.int32),
        "parent_idx": np.array([i for p in parents for i in p], dtype=np.int32),
        "ancestor_ptr": np.cumsum([0] + [len(a) for a in closure], dtype=np.int64),
        "ancestor_idx": np.array([i for a in closure for i in a], dtype=np.int32),
        "lemmas": _join_text("|".join(s.lemma_names()) for s in synsets),
        "glosses": _join_text(clean_gloss(raw[s.offset()]) for s in synsets),
        "frequency": np.array(
            [sum(lemma.count() for lemma in s.lemmas()) for s in synsets], dtype=np.int32
        ),
        # Optional keys (a reader of format 1 ignores them; this one defaults them):
        # each lemma's own sense count, in lemma order ("cat" in guy|cat counts 0, not
        # guy's 33), and the irregular plurals.
        "lemma_counts": np.array(
            [lemma.count() for s in synsets for lemma in s.lemmas()], dtype=np.int32
        ),
        "noun_exceptions": _join_text(_noun_exceptions(wn)),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, out_path)
    return len(synsets)


def load_hierarchy(path: Path | None = None) -> Hierarchy:
    """Load the compiled WordNet noun hierarchy (the shipped one unless ``path`` is given)."""
    path = path or default_resource_path()
    try:
        with np.load(path) as data:
            arrays = {key: data[key] for key in data.files if key != "glosses"}
    except (OSError, ValueError, KeyError) as exc:
        raise HierarchyResourceError(f"cannot read the WordNet resource {path}: {exc}") from exc

    def read_glosses() -> list[str]:
        with np.load(path) as data:
            return _split_text(data["glosses"])

    version = int(arrays["format_version"][0])
    if version != FORMAT_VERSION:
        raise HierarchyResourceError(
            f"{path} has format {version}; this version of Synset Browser reads {FORMAT_VERSION}"
        )
    return Hierarchy(
        offsets=arrays["offsets"],
        parent_ptr=arrays["parent_ptr"],
        parent_idx=arrays["parent_idx"],
        ancestor_ptr=arrays["ancestor_ptr"],
        ancestor_idx=arrays["ancestor_idx"],
        lemmas=_split_text(arrays["lemmas"]),
        glosses=read_glosses,
        frequency=arrays["frequency"],
        version=arrays["wordnet_version"].tobytes().decode(),
        lemma_counts=arrays.get("lemma_counts"),
        noun_exceptions=(
            parse_exceptions(_split_text(arrays["noun_exceptions"]))
            if "noun_exceptions" in arrays
            else None
        ),
    )
