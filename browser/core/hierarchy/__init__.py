"""The synset hierarchy on its own, with no dataset: the shipped WordNet 3.0 noun DAG
(:mod:`.dag`, :mod:`.wordnet`), other taxonomies read from files, the ILSVRC class lists, and
search over lemmas and glosses. Uses only ``browser.core``'s shared modules."""
