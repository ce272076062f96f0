"""Property-based fuzzing of every form: never a 500, and a refused post writes nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sprint.extensions import db

# (actor, page with the form); the form posts back to the same URL unless the page's form names another.
FORM_PAGES = [
    ("anonymous", "/register"),
    ("anonymous", "/login"),
    ("anonymous", "/forgot-password"),
    ("anonymous", "/reset-password/not-a-token"),
    ("student", "/student/profile"),
    ("student", "/student/positions/{position_id}"),
    ("student", "/student/ranks"),
    ("host", "/company/profile"),
    ("host", "/company/team"),
    ("host", "/company/positions/new"),
    ("host", "/company/positions/{position_id}/edit"),
    ("host", "/company/applicants/{student_id}"),
    ("host", "/company/positions/{position_id}/ranks"),
    ("coordinator", "/coordinator/invite"),
    ("coordinator", "/coordinator/seasons/new"),
    ("coordinator", "/coordinator/seasons/{season_id}/dates"),
    ("coordinator", "/coordinator/seasons/{season_id}/extensions"),
    ("coordinator", "/coordinator/hosts/new"),
    ("admin", "/admin/colleges/{college_id}"),
    ("coordinator", "/coordinator/runs/seasons/{season_id}/new"),
    ("coordinator", "/coordinator/runs/placements/{placement_id}"),
    ("coordinator", "/coordinator/runs/seasons/{season_id}/placements/add"),
    ("coordinator", "/dashboards/colleges/{college_id}/invite-liaison"),
    ("admin", "/admin/"),
    ("admin", "/admin/programs/{program_id}"),
    # confirmation pages of irreversible actions: their reason, and their confirming button
    ("student", "/student/offers/{placement_id}/decline"),
    ("student", "/student/applications/{interest_id}/withdraw"),
    ("host", "/company/team/{membership_id}/remove"),
    ("host", "/company/positions/{spare_position_id}/withdraw"),
    ("coordinator", "/coordinator/staff/{user_id}/deactivate"),
    ("coordinator", "/coordinator/hosts/{other_host_id}/unapprove"),
    ("coordinator", "/coordinator/seasons/{season_id}/phase/closed"),
    ("coordinator", "/coordinator/runs/{run_id}/publish"),
]

VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "2027-02-30",
            "9999-12-31",
            "y",
            "on",
            "\x00",
            "<script>x</script>",
            "'; DROP TABLE user; --",
            '=HYPERLINK("x")',
            "s1",
            "p1",
            "stable",
            "max-stable",
        ]
    ),
)


LANGUAGE_SWITCH = re.compile(r'<form method="post" action="/language".*?</form>', re.S)


def _page_forms(html: str) -> str:
    """The page without the footer's language switch, which posts elsewhere (/language: its own test)."""
    return LANGUAGE_SWITCH.sub("", html)


def _field_names(html: str) -> list[str]:
    html = _page_forms(html)
    names = set(re.findall(r'<(?:input|select|textarea|button)[^>]*\sname="([^"]+)"', html))
    return sorted(names - {"csrf_token"})


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(db.select(db.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_no_form_answers_a_500_or_writes_half(app, world):
    people, values = world
    clients = {actor: app.test_client() for actor in ("anonymous", *people)}
    for actor, email in people.items():
        clients[actor].post("/login", data={"email": email, "password": "correct horse battery"})
    pages = []
    for actor, pattern in FORM_PAGES:
        url = pattern.format(**values)
        page = clients[actor].get(url)
        assert page.status_code == 200, f"{actor} {url}: {page.status_code}"
        pages.append((actor, url, _field_names(page.get_data(as_text=True))))

    failures = []

    def fuzz(actor: str, url: str, names: list[str], data) -> None:
        form = {name: data.draw(VALUES) for name in names if data.draw(st.booleans())}
        with app.app_context():
            before = _row_counts()
        response = clients[actor].post(url, data=form)
        if response.status_code >= 500:
            failures.append(f"{actor} POST {url} {form!r}: {response.status_code}")
        elif response.status_code >= 400:
            with app.app_context():
                after = _row_counts()
            changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
            if changed:
                failures.append(f"{actor} POST {url} {form!r}: {response.status_code} but wrote {changed}")
        response.close()

    def examples_for(page):
        @settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(st.data())
        def one_form(data):
            fuzz(*page, data)

        return one_form

    for page in pages:  # every form gets its own examples
        examples_for(page)()
    assert failures == [], "\n".join(failures[:10])


# Every field of every form, one at a time, with the inputs that once gave 500s: a NUL byte, other
# control characters, line breaks, non-ASCII digits and a 100,000-character value. The rest of the
# form keeps the values the page itself shows, so each post gets past the other fields' checks.
NASTY = {
    "nul": "ab\x00cd",
    "control": "a\x01\x1b\x7fb",
    "line break": "one\r\ntwo",
    "superscript": "²",
    "100k": "x" * 100_000,
}
REFUSED_EVERYWHERE = ("nul", "control")  # no field of any form takes these


class _FormValues(HTMLParser):
    """The values a page's form fields show (inputs, checked boxes, selected options, text areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.setdefault(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.values):
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, "")

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def _all_counts() -> tuple:
    """Every table's row count in one query (cheap enough to take around each of a thousand posts)."""
    counts = [db.select(db.func.count()).select_from(table).scalar_subquery() for table in db.metadata.sorted_tables]
    return tuple(db.session.execute(db.select(*counts)).one())


def test_every_field_refuses_control_characters_without_a_500_or_a_partial_write(app, world):
    people, values = world
    clients = {actor: app.test_client() for actor in ("anonymous", *people)}
    for actor, email in people.items():
        clients[actor].post("/login", data={"email": email, "password": "correct horse battery"})
    failures, posts = [], 0
    for actor, pattern in FORM_PAGES:
        url = pattern.format(**values)
        parser = _FormValues()
        parser.feed(_page_forms(clients[actor].get(url).get_data(as_text=True)))
        baseline = {name: value for name, value in parser.values.items() if name != "csrf_token"}
        for field in sorted(baseline):
            for label, nasty in NASTY.items():
                with app.app_context():
                    before = _all_counts()
                response = clients[actor].post(url, data={**baseline, field: nasty})
                posts += 1
                status = response.status_code
                response.close()
                if status >= 500:
                    failures.append(f"{actor} {url} {field}={label}: {status}")
                elif label in REFUSED_EVERYWHERE and status < 400:
                    failures.append(f"{actor} {url} {field}={label}: accepted ({status})")
                if status >= 400:
                    with app.app_context():
                        if _all_counts() != before:
                            failures.append(f"{actor} {url} {field}={label}: {status} but wrote rows")
    assert posts > 500
    assert failures == [], "\n".join(failures[:20])
