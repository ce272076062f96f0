"""Notifications: what needs a person, in their list and emailed as they chose per kind (now, a daily
digest, or not), with the required kinds always emailed. `notify` is the one way in."""
