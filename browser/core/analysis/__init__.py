"""Views computed over a dataset for the statistics panel, the treemap and near-duplicate
search. Uses :mod:`browser.core.dataset` and :mod:`browser.core.images`."""
