"""Accounts: who a person is and how they get in.

Registration, confirmation, login, password resets, invitations, administrators,
and the signed tokens emailed links carry."""
