"""Dashboards for coordinators (their program) and admins (any program): pages, charts, CSV exports."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..access import role_required
from ..extensions import db
from ..forms.dashboards import FilterForm, LiaisonInviteForm
from ..models import College, Role
from ..services.accounts import users
from ..services.dashboards import charts, common, pages
from ..services.errors import NotAllowed
from ..services.support.csv_export import to_csv_bytes, to_csv_sections
from ..templating import page_zone
from .forms_support import errors_shown_on, status_for

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")
PAGE_NAMES = "overview, colleges, hosts, quality, equity, report"
TABS = [
    ("overview", "Overview"),
    ("colleges", "Colleges"),
    ("hosts", "Hosts"),
    ("quality", "Match quality"),
    ("equity", "Equity"),
    ("report", "Season report"),
]


@bp.before_request
@role_required(Role.COORDINATOR, Role.ADMIN)
def _guard() -> None:  # coordinators see their own program; admins pick one
    pass


DRILL_DOWNS = {"college": "dashboards.college", "host": "dashboards.host"}  # a table's `drills_to` -> endpoint


def filter_query(filters: common.DashboardFilters) -> dict:
    """The filters as URL query arguments (the names the filter form reads), for links that keep them."""
    query: dict = {}
    if filters.years:
        query["seasons"] = list(filters.years)
    if filters.kind:
        query["kind"] = filters.kind
    if filters.host_id:
        query["host"] = filters.host_id
    if filters.major:
        query["major"] = filters.major
    return query


def filter_choices(program) -> common.FilterChoices:
    """The filter menus of a program; the majors menu is kept DASHBOARD_CHOICES_TTL seconds (300, none in tests)."""
    ttl = current_app.config.get("DASHBOARD_CHOICES_TTL", 0 if current_app.testing else 300)
    return common.filter_choices(current_user, program, majors_ttl=ttl)


class PageUrls:
    """Builds a page's chart, export and drill-down links, keeping its filters."""

    def __init__(self, prefix: str, page: common.DashboardPage, query: dict) -> None:
        self.prefix, self.page, self.query = prefix, page, query

    def _subject(self) -> dict:
        return {"name": self.page.key, "subject": self.page.subject} if self.prefix == "dashboards" else {}

    def chart(self, table: common.Table) -> str:
        return url_for(f"{self.prefix}.chart", key=table.key, **self._subject(), **self.query)

    def export(self, table: common.Table) -> str:
        return url_for(f"{self.prefix}.export", key=table.key, **self._subject(), **self.query)

    def alt(self, table: common.Table) -> str:
        return charts.alt_text(table)

    def link(self, table: common.Table, index: int) -> str | None:
        """The drill-down page row `index` opens from its first cell, if any."""
        ids = table.ids
        if table.drills_to not in DRILL_DOWNS or index >= len(ids) or ids[index] is None:
            return None
        return url_for(DRILL_DOWNS[table.drills_to], subject=ids[index], **self.query)

    def tab(self, name: str) -> str:
        return url_for(
            "dashboards.page" if name != "overview" else "dashboards.overview",
            **({"name": name} if name != "overview" else {}),
            **self.query,
        )


def _load(name: str, subject: int | None = None):
    """The program, the validated filter form, and the page; aborts with 400/403/404 on bad input."""
    try:
        program = common.program_for(current_user, request.args.get("program", type=int))
    except NotAllowed:
        abort(403)
    except LookupError:
        abort(404)
    form = FilterForm(formdata=request.args).fill(filter_choices(program))
    if not form.validate():
        return program, form, None
    filters = common.DashboardFilters(
        years=tuple(sorted(set(form.seasons.data or []))),
        kind=form.kind.data or "",
        host_id=form.host.data or None,
        major=form.major.data or "",
    )
    try:
        page = pages.build(program, name, filters, subject)
    except LookupError:
        abort(404)
    return program, form, page


def _query(program, filters: common.DashboardFilters) -> dict:
    query = filter_query(filters)
    if current_user.role == Role.ADMIN:
        query["program"] = program.id
    return query


def _render(name: str, subject: int | None = None):
    program, form, page = _load(name, subject)
    if page is None:
        return render_template("dashboards/invalid.html", form=form, program=program, tabs=TABS), 400
    template = "dashboards/report.html" if name == "report" else "dashboards/page.html"
    query = _query(program, page.filters)
    return render_template(
        template,
        page=page,
        form=form,
        tabs=TABS,
        urls=PageUrls("dashboards", page, query),
        report_csv=url_for("dashboards.report_csv", **query),
    )


@bp.get("/")
def overview():
    return _render("overview")


@bp.get("/<any(colleges, hosts, quality, equity, report):name>")
def page(name: str):
    return _render(name)


@bp.get("/colleges/<int:subject>")
def college(subject: int):
    return _render("college", subject)


@bp.get("/hosts/<int:subject>")
def host(subject: int):
    return _render("host", subject)


def table_of(page: common.DashboardPage | None, key: str) -> common.Table:
    """A page's table for an export or a chart: 400 when the filters were bad, 404 for no such table."""
    if page is None:
        abort(400)
    try:
        return page.table(key)
    except LookupError:
        abort(404)


def _table(name: str, key: str, subject: int | None) -> common.Table:
    return table_of(_load(name, subject)[2], key)


@bp.get("/export/<name>/<key>.csv")
@bp.get("/export/<name>/<int:subject>/<key>.csv")
def export(name: str, key: str, subject: int | None = None):
    return csv_response(_table(name, key, subject), f"{name}-{key}")


@bp.get("/report.csv")
def report_csv():
    """The whole season report in one file: a block per table, its title first, as on the printed page."""
    page = _load("report")[2]
    if page is None:
        abort(400)
    return Response(
        to_csv_sections([(table.title, table.columns, table.rows) for table in page.tables], page_zone()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{page.title.lower().replace(" ", "-")}.csv"'},
    )


@bp.get("/chart/<name>/<key>.svg")
@bp.get("/chart/<name>/<int:subject>/<key>.svg")
def chart(name: str, key: str, subject: int | None = None):
    return svg_response(_table(name, key, subject))


def csv_response(table: common.Table, filename: str) -> Response:
    return Response(
        to_csv_bytes(table.columns, table.rows, page_zone()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def svg_response(table: common.Table) -> Response:
    try:
        svg = charts.render(table)
    except LookupError:
        abort(404)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


@bp.route("/colleges/<int:college_id>/invite-liaison", methods=["GET", "POST"])
def invite_liaison(college_id: int):
    college_ = db.get_or_404(College, college_id)
    try:
        program = common.program_for(current_user, request.args.get("program", type=int))
    except (NotAllowed, LookupError):
        abort(404)
    form = LiaisonInviteForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            users.invite(current_user, form.email.data, Role.LIAISON, program=program, college=college_)
            flash(f"Invitation sent to {form.email.data}: they will see {college_.name}'s students only.", "success")
            return redirect(url_for("dashboards.college", subject=college_.id))
    return render_template("dashboards/invite_liaison.html", form=form, college=college_), status_for(form)
