"""``python -m solver``: see solver.cli."""

import gc
import sys

from .cli import main

# A one-shot process of its own that builds millions of small, cycle-free objects: the
# cyclic collector would only rescan them (~15% of a 50,000-student run), so it stays off.
gc.disable()
sys.exit(main())
