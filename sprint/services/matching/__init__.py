"""The match: runs of the solver on a season's rank lists, and what follows from them.

`adapter` is the only module that imports `solver`; the rest speak the app's own rows: runs and their queue,
reports, publications scheduled for later, the second round and the seats it leaves, placement changes, and each
student's published outcome."""
