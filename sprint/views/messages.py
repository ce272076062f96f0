"""Messages between a host's team and an applicant: the student's pages, the host team's, the coordinators'.

One blueprint per role, each guarding itself; the thread pages take the application's id
(PositionInterest), the coordinators' pages the thread's. The post route is rate limited per person
(Flask-Limiter) on top of the service's own caps."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..access import role_required
from ..extensions import db, limiter
from ..forms import options
from ..forms.messages import CloseThreadForm, MessageForm, ThreadFilterForm
from ..models import PositionInterest, Role
from ..services.messages import threads
from ..services.season import queries
from .forms_support import errors_shown_on, status_for

student_bp = Blueprint("student_messages", __name__, url_prefix="/student/messages")
host_bp = Blueprint("host_messages", __name__, url_prefix="/company/messages")
coordinator_bp = Blueprint("coordinator_messages", __name__, url_prefix="/coordinator/messages")
BLUEPRINTS = (student_bp, host_bp, coordinator_bp)


@student_bp.before_request
@role_required(Role.STUDENT)
def _student_guard() -> None:
    pass


@host_bp.before_request
@role_required(Role.HOST)
def _host_guard() -> None:  # members of a host only
    if current_user.membership is None:
        abort(403)


@coordinator_bp.before_request
@role_required(Role.COORDINATOR)
def _coordinator_guard() -> None:  # every thread below is scoped to the coordinator's program
    pass


@student_bp.app_context_processor
def _menu() -> dict:
    """The menu's Messages link with the person's unread count (base.html), for students and host members;
    coordinators reach the program's threads from their overview (their menu is full at desktop width)."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    endpoint = {Role.STUDENT: "student_messages.inbox", Role.HOST: "host_messages.inbox"}.get(current_user.role)
    if endpoint is None or threads.side_of_user(current_user) is None:
        return {}
    return {"messages_menu": (endpoint, gettext("Messages"), threads.unread_total(current_user))}


def _post_limit() -> str:
    return current_app.config["MESSAGES_POST_LIMIT"]


def _per_person() -> str:
    return f"messages-{current_user.get_id()}"


TOO_FAST = "You are sending messages too fast: please wait a minute and try again."


def _thread_page(interest_id: int, template: str):
    interest = db.get_or_404(PositionInterest, interest_id)
    form = MessageForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            threads.post(current_user, interest, form.body.data)
            flash(gettext("Your message is sent."), "success")
            return redirect(url_for(request.endpoint, interest_id=interest.id) + "#latest")
    page = threads.open_thread(current_user, interest)
    return render_template(template, page=page, form=form), status_for(form)


@student_bp.get("/")
def inbox():
    return render_template(
        "messages/student_inbox.html",
        rows=threads.threads_of(current_user),
        unstarted=threads.unstarted_applications(current_user),
    )


@student_bp.route("/<int:interest_id>", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"], key_func=_per_person, error_message=TOO_FAST)
def thread(interest_id: int):
    return _thread_page(interest_id, "messages/thread.html")


@host_bp.get("/", endpoint="inbox")
def host_inbox():
    return render_template("messages/host_inbox.html", rows=threads.threads_of(current_user))


@host_bp.route("/<int:interest_id>", methods=["GET", "POST"], endpoint="thread")
@limiter.limit(_post_limit, methods=["POST"], key_func=_per_person, error_message=TOO_FAST)
def host_thread(interest_id: int):
    return _thread_page(interest_id, "messages/thread.html")


@coordinator_bp.get("/", endpoint="threads")
def program_threads():
    form = ThreadFilterForm(request.args)
    form.season.choices = options(
        [(0, "All seasons")] + [(s.id, s.name) for s in queries.seasons_of(current_user.program_id)]
    )
    form.host.choices = options([(0, "All hosts")] + threads.program_hosts(current_user.program_id))
    valid = form.validate()
    page = threads.program_threads(
        current_user,
        season_id=form.season.data if valid else None,
        host_id=form.host.data if valid else None,
        status=form.status.data if valid else "",
        page=request.args.get("page", 1, type=int),
    )
    return render_template("messages/coordinator_threads.html", form=form, page=page), 200 if valid else 400


@coordinator_bp.get("/<int:thread_id>", endpoint="thread")
def coordinator_thread(thread_id: int):
    page = threads.coordinator_thread(current_user, thread_id)
    return render_template("messages/coordinator_thread.html", page=page, form=CloseThreadForm())


@coordinator_bp.post("/<int:thread_id>/close", endpoint="close")
def close_thread(thread_id: int):
    form = CloseThreadForm()
    if form.validate_on_submit():
        with errors_shown_on(form):
            threads.close_thread(current_user, thread_id, form.reason.data)
            flash("The conversation is closed: it takes no new messages.", "success")
            return redirect(url_for("coordinator_messages.thread", thread_id=thread_id))
    page = threads.coordinator_thread(current_user, thread_id)
    return render_template("messages/coordinator_thread.html", page=page, form=form), status_for(form)
