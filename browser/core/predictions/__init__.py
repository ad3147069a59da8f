"""A model's predictions for a dataset: the store (per dataset key, several models), reading
prediction files, ranking likely label errors (cleanlab, or self-confidence), mistake severity
on the DAG and roll-ups, the confusion among a synset's children, and the window's per-row
state. Uses :mod:`browser.core.dataset` and :mod:`browser.core.review`."""
