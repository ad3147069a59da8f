"""Run Synset Browser from a source checkout: ``python main.py [DATASET] [--demo]``."""

import sys

from browser.app import main

if __name__ == "__main__":
    sys.exit(main())
