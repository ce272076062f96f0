"""Each person's notifications: the list (newest first), marking one or all read."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..services.notifications import inbox
from ..services.notifications.notify import shown_subject

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.before_request
@login_required
def _guard() -> None:  # every signed-in person, each seeing only their own
    pass


@bp.get("/")
def index():
    page = inbox.page_of(current_user, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    return render_template("notifications/index.html", page=page, shown_subject=shown_subject)


@bp.post("/<int:notification_id>/read")
def read(notification_id: int):
    if FlaskForm().validate_on_submit():
        notification = inbox.mark_read(current_user, notification_id)
        if request.form.get("go") and notification.link.startswith("/") and not notification.link.startswith("//"):
            return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
def read_all():
    if FlaskForm().validate_on_submit():
        inbox.mark_all_read(current_user)
        flash(_("Every notification is marked read."), "info")
    return redirect(url_for("notifications.index"))
