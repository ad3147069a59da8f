import sys

from browser.app import main

sys.exit(main())
