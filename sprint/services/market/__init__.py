"""The market: what students and hosts do before and after the match.

Positions, profiles and résumés, applications, both sides' rank lists, offers and answers,
the host portal, and which host may see which student."""
