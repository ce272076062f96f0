"""The season: a program's partnerships and their yearly seasons.

Creating a season, its dates and phases, per-person deadlines and extensions, the season a page shows,
and deadline reminders."""
