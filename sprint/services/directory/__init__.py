"""The directory: the lists coordinators keep (colleges, hosts, positions, students, staff).

Listing, edits, the shared college directory, a season's progress counts, CSV import, and the audit log page."""
