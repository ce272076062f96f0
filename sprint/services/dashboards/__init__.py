"""Dashboards: aggregate figures of a program across colleges, hosts, groups and years.

Shared filters, tables and small-cell suppression in `common`; one module per subject;
charts drawn from the same tables."""
