"""The summer of a placement, after the student accepted: the host (or a coordinator) confirms the
start and the end (completed, or ended early with a reason), and both sides fill in a mid-summer
check-in and an end-of-internship form (the host's evaluation of the intern, the intern's survey of
the internship). The survey is only ever shown aggregated per host, small cells suppressed.

`access` (who may act on which placement), `windows` (when each form is open), `lifecycle` (the
status changes), `forms_filled` (check-ins, evaluations, surveys), `quality` (the surveys
aggregated), `reminders` (the daily emails). Reads market (the skills vocabulary) and support.
"""

from .access import evaluations_for_student  # noqa: F401 (the coordinator's student page calls it)
