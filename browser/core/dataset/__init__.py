"""A dataset folder read into an index: layouts, the listing scan and the stat pass, label
files and tar shards, the stored index, the choice of hierarchy for a dataset, identity across
moves, and counts rolled up the hierarchy (:mod:`.view`). Uses :mod:`browser.core.hierarchy`."""
