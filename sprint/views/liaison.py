"""A college liaison's page: their own college's students in their program, nothing else."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..access import role_required
from ..forms.dashboards import LiaisonFilterForm
from ..models import Role
from ..services.dashboards import common
from ..services.dashboards.colleges import liaison_page
from .dashboards import PageUrls, csv_response, filter_choices, filter_query, svg_response, table_of

bp = Blueprint("liaison", __name__, url_prefix="/liaison")


@bp.before_request
@role_required(Role.LIAISON)
def _guard() -> None:  # liaisons only; every figure is scoped to their college and program
    pass


def _load():
    form = LiaisonFilterForm(formdata=request.args).fill(filter_choices(current_user.program))
    if not form.validate():
        return form, None
    filters = common.DashboardFilters(years=tuple(sorted(set(form.seasons.data or []))), major=form.major.data or "")
    return form, liaison_page(current_user, filters)


@bp.get("/")
def dashboard():
    form, page = _load()
    if page is None:
        return render_template("dashboards/invalid.html", form=form, program=current_user.program, tabs=[]), 400
    return render_template(
        "liaison/dashboard.html", page=page, form=form, urls=PageUrls("liaison", page, filter_query(page.filters))
    )


@bp.get("/export/<key>.csv")
def export(key: str):
    return csv_response(table_of(_load()[1], key), f"my-college-{key}")


@bp.get("/chart/<key>.svg")
def chart(key: str):
    return svg_response(table_of(_load()[1], key))
