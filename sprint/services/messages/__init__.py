"""Messages between a host's team and an applicant: one thread per application to a position.

threads.py: who may read and write which thread, posting (with the anti-spam caps and the season's
phase), read marks and unread counts, the lists each side and the coordinators see, closing a thread.
email_digest.py: the periodic job that emails each person one list of the threads with news for them."""
