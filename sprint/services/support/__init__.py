"""Support used by every feature: the audit trail, email, local time, paging, plain text, CSV export,
concurrent writes, the small-cell privacy rule and how figures read.

Nothing here knows a feature; the features import it, never the reverse."""
