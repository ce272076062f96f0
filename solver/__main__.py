"""``python -m solver``: see solver.cli."""

import sys

from .cli import main

sys.exit(main())
