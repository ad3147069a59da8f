"""Undoing noun inflections the way WordNet's ``morphy`` does, without nltk at run time.

A plural is first looked up in WordNet's own list of irregular nouns (``noun.exc``, shipped in
the compiled resource: "geese" → "goose", "teeth" → "tooth"); only a word not on that list goes
through the suffix rules ("butterflies" → "butterfly", "buses" → "bus"). The candidates are not
checked against WordNet here: the search keeps those that are lemmas.
"""

from __future__ import annotations

from collections.abc import Mapping

# WordNet's detachment rules for nouns (morphy(7WN)), in its order.
NOUN_RULES: tuple[tuple[str, str], ...] = (
    ("s", ""),
    ("ses", "s"),
    ("ves", "f"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
)


def base_forms(phrase: str, exceptions: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Possible singular forms of a normalised (lower case, single-spaced) noun phrase,
    other than the phrase itself. The inflection is looked for on the whole phrase, then on
    its last word ("golden retrievers" → "golden retriever", "baby teeth" → "baby tooth")."""
    head, _, last = phrase.rpartition(" ")
    if phrase in exceptions:
        forms = list(exceptions[phrase])
    elif last in exceptions:
        forms = [f"{head} {base}" if head else base for base in exceptions[last]]
    else:
        forms = [
            phrase[: -len(suffix)] + ending
            for suffix, ending in NOUN_RULES
            if phrase.endswith(suffix) and len(last) > len(suffix)
        ]
    return [form for form in dict.fromkeys(forms) if form and form != phrase]
