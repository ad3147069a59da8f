"""Regenerate resources/wordnet/wn30_nouns.npz from an nltk WordNet.

Usage: NLTK_DATA=/path/to/nltk_data python scripts/build_wordnet.py [OUT]

nltk finds WordNet through NLTK_DATA (a folder holding corpora/wordnet or corpora/wordnet.zip).
The app itself never needs nltk's data: it loads the compiled file this writes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from browser.core.hierarchy.wordnet import RESOURCE_NAME, compile_from_nltk, load_hierarchy


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[1] / "resources" / "wordnet" / RESOURCE_NAME
    out = Path(argv[0]) if argv else default
    started = time.perf_counter()
    count = compile_from_nltk(out)
    hierarchy = load_hierarchy(out)
    print(
        f"wrote {count} noun synsets (WordNet {hierarchy.version}) to {out} "
        f"in {time.perf_counter() - started:.1f} s ({out.stat().st_size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
