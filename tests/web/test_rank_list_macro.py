"""The one rank-list macro: both rank pages draw their form through it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template_string

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("page", ["student/ranks.html", "company/ranks.html"])
def test_both_rank_pages_draw_the_form_with_the_shared_macro(page):
    source = (TEMPLATES / page).read_text()
    assert "{% call rank_list(" in source and "rank_row(" in source and "<form" not in source


def test_the_macro_draws_rows_inputs_and_buttons(app):
    form = {"csrf_token": "<csrf>", "version": "<version>"}
    template = """{% from "_macros.html" import rank_list, rank_row %}
    {% call rank_list(form, "/ranks", true, ties=true, help="Help.", certify="Certify this list") %}
      {% call(part) rank_row(7, "Ana", "Rank of Ana", 2, true, placeholder="—") %}{{ part }}-drawn{% endcall %}
    {% endcall %}"""
    with app.test_request_context():
        html = render_template_string(template, form=form)
    assert 'action="/ranks"' in html and 'data-ranklist="tiers"' in html and ">Help.</p>" in html
    assert 'id="rank_7" name="rank_7" value="2" placeholder="—">' in html and "title-drawn" in html
    assert html.index("title-drawn") < html.index('aria-label="Move Ana"') < html.index("end-drawn")
    assert 'value="certify" class="btn btn-primary">Certify this list</button>' in html


def test_a_read_only_list_has_no_buttons_and_readonly_inputs(app):
    template = """{% from "_macros.html" import rank_list, rank_row %}
    {% call rank_list(form, "/ranks", false, ties=false, help="Help.", certify="Certify my list") %}
      {% call(part) rank_row(3, "Lab", "Rank of Lab", 1, false) %}{% endcall %}
    {% endcall %}"""
    with app.test_request_context():
        html = render_template_string(template, form={"csrf_token": "", "version": ""})
    assert 'value="1" readonly>' in html and "data-ranklist=" not in html and "<button" not in html
