"""Everything the app knows and computes, with no Qt: usable from the CLI, scripts and tests.

Sub-packages, lowest first (each may use only those before it): ``hierarchy``, ``dataset``,
``images``, ``review``, ``analysis``, ``export``. The modules here (file names, line files,
user folders, recent datasets) are below all of them."""
