"""``python -m generators.scenarios``: check every scenario file against FORMAT.md."""

import sys

from generators.scenarios import main

sys.exit(main())
