"""Threads between a host's team and one applicant: who may read and write, posting, read marks, lists.

A thread belongs to one PositionInterest (a student's application to one position). Its two sides are
the student and the host's team (every member of the company, each with a read mark of their own).
Either side may write first once the student has applied. Messages can be sent while the season is
live (from applications open until the season is closed), then the thread is read-only; a withdrawn
application or a thread a coordinator closed takes no new messages either. Coordinators of the
program read every thread without touching anyone's read marks; nobody else sees a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func

from ...extensions import db
from ...models import (
    Application,
    ApplicationStatus,
    HostCompany,
    HostMember,
    Message,
    MessageThread,
    Notification,
    NotificationKind,
    Position,
    PositionInterest,
    Role,
    Season,
    ThreadRead,
    User,
    utcnow,
)
from ..errors import NotFound, ServiceError, StaleEdit, TooMany
from ..notifications.notify import mark_read_at, notify, site_path
from ..season.queries import LIVE_PHASES, is_live
from ..support import audit
from ..support.concurrency import insert_missing, lock_row, undone_on_error
from ..support.paging import Page, paginate_rows
from ..support.plain_text import text_problem

STUDENT, HOST = "student", "host"
MAX_LENGTH = 5000  # characters in one message
PER_HOUR = 20  # messages one person may send in any hour, over all their threads
UNANSWERED_IN_A_ROW = 3  # a student's messages in a row in one thread before the host answers


def side_of(actor: User, interest: PositionInterest) -> str:
    """STUDENT or HOST when the actor takes part in the interest's thread; NotFound for anyone else
    (another student's or another host's ids reveal nothing)."""
    application = interest.application
    if actor.role == Role.STUDENT and application.student_id == actor.id:
        return STUDENT
    membership = actor.membership if actor.role == Role.HOST else None
    if (
        membership is not None
        and interest.position.host_id == membership.host_id
        and application.status == ApplicationStatus.SUBMITTED
    ):
        return HOST
    raise NotFound(gettext("No such conversation."))


def thread_of(interest: PositionInterest) -> MessageThread | None:
    return db.session.scalar(db.select(MessageThread).where(MessageThread.interest_id == interest.id))


def why_read_only(interest: PositionInterest, thread: MessageThread | None) -> str | None:
    """Why no message can be sent in this thread now, in plain words, or None when one can."""
    if thread is not None and thread.closed_at is not None:
        return gettext("The program's coordinators closed this conversation: it takes no new messages.")
    if not is_live(interest.position.season):
        return gettext("The season is closed: its messages can be read but no longer answered.")
    if interest.withdrawn_at is not None:
        return gettext("This application was withdrawn: the conversation can be read but not answered.")
    if interest.application.status != ApplicationStatus.SUBMITTED:
        return gettext("Submit your application first: then you and the host can write to each other.")
    return None


def checked_body(body: str | None) -> str:
    """The message text as it will be kept, or ServiceError: plain text, not empty, not too long."""
    text = (body or "").strip()
    if not text:
        raise ServiceError(gettext("Write a message first: an empty one cannot be sent."), "body")
    if len(text) > MAX_LENGTH:
        raise ServiceError(
            gettext(
                "A message can be at most %(limit)s characters; this one has %(count)s.",
                limit=MAX_LENGTH,
                count=len(text),
            ),
            "body",
        )
    problem = text_problem(text, multiline=True)
    if problem:
        raise ServiceError(problem, "body")
    return text


def post(actor: User, interest: PositionInterest, body: str | None) -> Message:
    """Send one message in the interest's thread (made on the first message of either side)."""
    side = side_of(actor, interest)
    text = checked_body(body)
    refused = why_read_only(interest, thread_of(interest))
    if refused:
        raise ServiceError(refused)
    now = utcnow()
    insert_missing(
        MessageThread,
        [
            {
                "interest_id": interest.id,
                "program_id": interest.position.season.program_id,
                "created_at": now,
                "last_message_at": now,
                "close_reason": "",
            }
        ],
        ["interest_id"],
    )
    with undone_on_error():  # a refusal below takes the new thread row back with it
        thread = db.session.scalar(db.select(MessageThread).where(MessageThread.interest_id == interest.id))
        lock_row(MessageThread, thread.id, thread)  # and re-read: closed by a coordinator a moment ago?
        if thread.closed_at is not None:
            raise ServiceError(why_read_only(interest, thread))
        _check_caps(actor, thread, side, now)
    message = Message(thread_id=thread.id, author_id=actor.id, from_host=side == HOST, body=text, created_at=now)
    db.session.add(message)
    thread.last_message_at = now
    db.session.flush()
    _mark_read(actor, thread.id, message.id)  # the author has seen what they wrote
    audit.record(actor, "message.posted", message, program_id=thread.program_id, thread=thread.id)
    _notify_other_side(actor, interest, side)
    db.session.commit()
    return message


def _notify_other_side(actor: User, interest: PositionInterest, side: str) -> None:
    """An in-app notice for the other side (the student, or each member of the host's team). Its email
    is the batched one of email_digest.py, sent to those who chose "now" for messages; a daily-digest
    person reads it in their digest instead."""
    position = interest.position
    if side == HOST:
        recipients = [interest.application.student]
        subject = _l("New message from %(host)s about %(title)s", host=position.host.name, title=position.title)
        link = _thread_link(STUDENT, interest)
    else:
        recipients = list(
            db.session.scalars(
                db.select(User)
                .join(HostMember, HostMember.user_id == User.id)
                .where(HostMember.host_id == position.host_id, User.id != actor.id)
                .order_by(User.id)
            )
        )
        subject = f"New message from {interest.application.student.name} about {position.title}"
        link = _thread_link(HOST, interest)
    waiting = set(  # one unread notice per thread is enough: the thread shows how many are new
        db.session.scalars(
            db.select(Notification.user_id).where(
                Notification.kind == NotificationKind.MESSAGE,
                Notification.link == link,
                Notification.read_at.is_(None),
            )
        )
    )
    for person in recipients:
        if person.id in waiting:
            continue
        notify(
            person,
            NotificationKind.MESSAGE,
            subject,
            link,
            program=position.season.program,
            season=position.season,
            email_now=False,
        )


def _thread_link(side: str, interest: PositionInterest) -> str:
    """The thread's page for that side: where its notifications link to."""
    endpoint = "host_messages.thread" if side == HOST else "student_messages.thread"
    return site_path(endpoint, interest_id=interest.id)


def _check_caps(actor: User, thread: MessageThread, side: str, now) -> None:
    sent = db.session.scalar(
        db.select(func.count(Message.id)).where(
            Message.author_id == actor.id, Message.created_at > now - timedelta(hours=1)
        )
    )
    if sent >= PER_HOUR:
        raise TooMany(
            gettext(
                "You have sent %(count)s messages in the last hour, the most allowed: please wait before sending more.",
                count=PER_HOUR,
            )
        )
    if side == STUDENT:
        last = db.session.scalars(
            db.select(Message.from_host)
            .where(Message.thread_id == thread.id)
            .order_by(Message.id.desc())
            .limit(UNANSWERED_IN_A_ROW)
        ).all()
        if len(last) == UNANSWERED_IN_A_ROW and not any(last):
            raise ServiceError(
                gettext(
                    "You have sent %(count)s messages in a row: wait for the host to answer before writing again.",
                    count=UNANSWERED_IN_A_ROW,
                )
            )


def _mark_read(user: User, thread_id: int, last_id: int) -> None:
    insert_missing(
        ThreadRead,
        [{"thread_id": thread_id, "user_id": user.id, "last_read_id": 0, "read_at": utcnow()}],
        ["thread_id", "user_id"],
    )
    db.session.execute(
        db.update(ThreadRead)
        .where(ThreadRead.thread_id == thread_id, ThreadRead.user_id == user.id, ThreadRead.last_read_id < last_id)
        .values(last_read_id=last_id, read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class ThreadPage:
    interest: PositionInterest
    thread: MessageThread | None
    messages: list[Message]
    side: str
    read_only: str | None  # why nothing can be sent, or None


def open_thread(actor: User, interest: PositionInterest) -> ThreadPage:
    """A participant opens the thread: its messages, and everything in it is read for them from now."""
    side = side_of(actor, interest)
    thread = thread_of(interest)
    messages = _messages(thread)
    if messages:
        _mark_read(actor, thread.id, messages[-1].id)
        mark_read_at(actor, _thread_link(side, interest))  # its "message received" notices are read too
        db.session.commit()
    return ThreadPage(interest, thread, messages, side, why_read_only(interest, thread))


def _messages(thread: MessageThread | None) -> list[Message]:
    if thread is None:
        return []
    return list(db.session.scalars(db.select(Message).where(Message.thread_id == thread.id).order_by(Message.id)))


def side_of_user(user: User) -> str | None:
    if user.role == Role.STUDENT:
        return STUDENT
    if user.role == Role.HOST and user.membership is not None:
        return HOST
    return None


def _scope(user: User, side: str):
    """SQL: the ids of the threads the user takes part in."""
    query = db.select(MessageThread.id).join(PositionInterest, PositionInterest.id == MessageThread.interest_id)
    if side == STUDENT:
        return query.join(Application, Application.id == PositionInterest.application_id).where(
            Application.student_id == user.id
        )
    return (
        query.join(Position, Position.id == PositionInterest.position_id)
        .join(Application, Application.id == PositionInterest.application_id)
        .where(Position.host_id == user.membership.host_id, Application.status == ApplicationStatus.SUBMITTED)
    )


def _unread_query(user: User, side: str):
    """SQL: the messages of the other side the user has not read yet, in the user's threads."""
    return (
        db.select(Message.thread_id, func.count(Message.id))
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Message.thread_id, ThreadRead.user_id == user.id))
        .where(
            Message.thread_id.in_(_scope(user, side)),
            Message.from_host.is_(side == STUDENT),
            Message.id > func.coalesce(ThreadRead.last_read_id, 0),
        )
        .group_by(Message.thread_id)
    )


def unread_total(user: User) -> int:
    """How many messages wait unread for this person (the menu's count); 0 for people without threads."""
    side = side_of_user(user)
    if side is None:
        return 0
    return sum(count for _, count in db.session.execute(_unread_query(user, side)))


@dataclass(frozen=True)
class ThreadRow:
    interest: PositionInterest
    thread: MessageThread | None
    student: User
    unread: int
    count: int


def threads_of(user: User, interests: list[PositionInterest] | None = None) -> list[ThreadRow]:
    """The user's threads, newest first, with unread counts; given `interests` (an applicant's page, a
    student's applications), one row for each of them instead, with or without a thread yet."""
    side = side_of_user(user)
    if side is None:
        return []
    unread = dict(db.session.execute(_unread_query(user, side)).all())
    if interests is None:
        threads = list(
            db.session.scalars(
                db.select(MessageThread)
                .where(MessageThread.id.in_(_scope(user, side)))
                .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
            )
        )
        pairs = [(thread.interest, thread) for thread in threads]
    else:
        by_interest = {
            thread.interest_id: thread
            for thread in db.session.scalars(
                db.select(MessageThread).where(MessageThread.interest_id.in_([i.id for i in interests]))
            )
        }
        pairs = [(interest, by_interest.get(interest.id)) for interest in interests]
    counts = _message_counts([thread.id for _, thread in pairs if thread is not None])
    return [
        ThreadRow(
            interest,
            thread,
            interest.application.student,
            unread.get(thread.id, 0) if thread else 0,
            counts.get(thread.id, 0) if thread else 0,
        )
        for interest, thread in pairs
    ]


def _message_counts(thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    return dict(
        db.session.execute(
            db.select(Message.thread_id, func.count(Message.id))
            .where(Message.thread_id.in_(thread_ids))
            .group_by(Message.thread_id)
        ).all()
    )


def coordinator_thread(coordinator: User, thread_id: int) -> ThreadPage:
    """A coordinator reads a thread of their program (audited; nobody's read mark moves)."""
    thread = db.session.get(MessageThread, thread_id)
    if thread is None or thread.program_id != coordinator.program_id:
        raise NotFound("No such conversation in your program.")
    audit.record(coordinator, "message_thread.read_by_coordinator", thread, program_id=thread.program_id)
    db.session.commit()
    return ThreadPage(thread.interest, thread, _messages(thread), "coordinator", why_read_only(thread.interest, thread))


def close_thread(coordinator: User, thread_id: int, reason: str) -> MessageThread:
    """A coordinator closes a thread of their program, with a reason: it takes no new messages."""
    thread = db.session.get(MessageThread, thread_id)
    if thread is None or thread.program_id != coordinator.program_id:
        raise NotFound("No such conversation in your program.")
    lock_row(MessageThread, thread.id, thread)  # two coordinators at once: the second sees it closed
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why the conversation is closed: the reason is kept in the audit log.", "reason")
    if thread.closed_at is not None:
        raise StaleEdit("This conversation was already closed.")
    thread.closed_at, thread.closed_by_id, thread.close_reason = utcnow(), coordinator.id, reason
    audit.record(coordinator, "message_thread.closed", thread, program_id=thread.program_id, reason=reason)
    db.session.commit()
    return thread


@dataclass(frozen=True)
class ProgramThreadRow:
    thread: MessageThread
    student: User
    position: Position
    count: int


def program_threads(
    coordinator: User, season_id: int | None = None, host_id: int | None = None, status: str = "", page: int = 1
) -> Page:
    """The program's threads for its coordinators, newest first, filtered by season, host and open/closed."""
    query = (
        db.select(MessageThread, User, Position)
        .join(PositionInterest, PositionInterest.id == MessageThread.interest_id)
        .join(Application, Application.id == PositionInterest.application_id)
        .join(User, User.id == Application.student_id)
        .join(Position, Position.id == PositionInterest.position_id)
        .join(Season, Season.id == Position.season_id)
        .where(MessageThread.program_id == coordinator.program_id, Season.program_id == coordinator.program_id)
    )
    if season_id:
        query = query.where(Position.season_id == season_id)
    if host_id:
        query = query.where(Position.host_id == host_id)
    if status == "open":
        query = query.where(MessageThread.closed_at.is_(None))
    elif status == "closed":
        query = query.where(MessageThread.closed_at.is_not(None))
    query = query.order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
    found = paginate_rows(query, page, 50)
    counts = _message_counts([row.MessageThread.id for row in found.items])
    items = [
        ProgramThreadRow(row.MessageThread, row.User, row.Position, counts.get(row.MessageThread.id, 0))
        for row in found.items
    ]
    return Page(items, found.page, found.per_page, found.total)


def program_hosts(program_id: int) -> list[tuple[int, str]]:
    """(id, name) of the program's host companies, for the coordinators' filter."""
    return [
        (row.id, row.name)
        for row in db.session.execute(
            db.select(HostCompany.id, HostCompany.name)
            .where(HostCompany.program_id == program_id)
            .order_by(HostCompany.name)
        )
    ]


def unstarted_applications(student: User) -> list[PositionInterest]:
    """The student's live applications with no conversation yet (where they may write first)."""
    return list(
        db.session.scalars(
            db.select(PositionInterest)
            .join(Application, Application.id == PositionInterest.application_id)
            .join(Position, Position.id == PositionInterest.position_id)
            .join(Season, Season.id == Position.season_id)
            .where(
                Application.student_id == student.id,
                Application.status == ApplicationStatus.SUBMITTED,
                PositionInterest.withdrawn_at.is_(None),
                Season.phase.in_(LIVE_PHASES),
                ~db.select(MessageThread.id).where(MessageThread.interest_id == PositionInterest.id).exists(),
            )
            .order_by(PositionInterest.created_at)
        )
    )
