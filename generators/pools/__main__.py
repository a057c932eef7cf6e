"""``python -m generators.pools``: rebuild the Faker snapshots."""

import sys

from generators.pools import main

sys.exit(main())
