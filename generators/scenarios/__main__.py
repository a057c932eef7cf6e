"""``python -m generators.scenarios [FILE...]``: check scenario files (default: all) against FORMAT.md."""

import sys

from generators.scenarios import main

sys.exit(main(sys.argv[1:]))
