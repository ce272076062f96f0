"""``python -m solver``: see solver.cli."""

import gc
import os
import sys

from .cli import main

# A one-shot process of its own that builds millions of small, cycle-free objects: the
# cyclic collector would only rescan them (~15% of a 50,000-student run), so it stays off,
# and the process leaves without freeing them one by one (output is flushed first).
gc.disable()
kept: list = []  # the result's objects, left to os._exit rather than freed one by one
code = main(keep=kept)
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
