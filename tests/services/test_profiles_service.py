"""Résumé checks at the service layer, including the real 5 MB limit."""

from __future__ import annotations

import pytest

from sprint.services.errors import ServiceError
from sprint.services.market.profiles import check_pdf


def test_the_default_limit_is_five_megabytes(appctx):
    body = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"

    with pytest.raises(ServiceError, match="the limit is 5 MB"):
        check_pdf(body)
    check_pdf(b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024) + b"\n%%EOF\n")  # under the limit: accepted
