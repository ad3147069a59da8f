"""The headless command line (``synset-browser scan|stats|search|info|verdicts|export|duplicates``):
one module per command, each with ``add_parser`` and ``run``; :mod:`.main` dispatches. What the
commands share is public in :mod:`.parsing`, :mod:`.output` and :mod:`.opening`. Uses
``browser.core`` only, never Qt."""
