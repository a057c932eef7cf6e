"""``python -m generators.pools``: rebuild the committed pools (``--help`` for the options)."""

import sys

from generators.pools.build import main

sys.exit(main())
