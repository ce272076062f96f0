"""Support used by every feature: the audit trail, email, local time, paging, plain text, CSV export,
concurrent and bulk writes, the small-cell privacy rule, how figures read, and the background jobs (the queue,
how it is doing, /healthz's checks).

Nothing here knows a feature; the features import it, never the reverse."""
