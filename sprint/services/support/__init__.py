"""Support used by every feature: the audit trail, email, local time, paging, plain text, CSV export, concurrent writes.

Nothing here knows a feature; the features import it, never the reverse."""
