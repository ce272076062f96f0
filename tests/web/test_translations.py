"""The Spanish catalog: every student-facing string is wrapped for translation, every one of them has
a Spanish translation, and the compiled catalog (.mo) that ships is the one the .po says."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
CATALOG = ROOT / "sprint" / "translations" / "es" / "LC_MESSAGES"

# The pages, partials and emails a student sees (a new student page goes in one of these folders or here).
STUDENT_TEMPLATES = sorted(
    {
        *TEMPLATES.glob("student/**/*.html"),
        *TEMPLATES.glob("vacancy/student/**/*.html"),
        *TEMPLATES.glob("auth/*.html"),
        *TEMPLATES.glob("errors/*.html"),
        *TEMPLATES.glob("email/*student*.txt"),
        *(
            TEMPLATES / name
            for name in (
                "base.html",
                "_macros.html",
                "_summer.html",
                "email/results_published_offer.txt",
                "email/results_published_unmatched.txt",
                "email/offer_reminder.txt",
                "email/offer_expired.txt",
                "email/password_reset.txt",
                "email/sign_up_confirm.txt",
                "email/vacancy_invitation.txt",
                "email/sign_up_existing.txt",
                "email/interview_invitation.txt",
                "email/interview_update_student.txt",
                "email/notification.txt",
                "email/notification_digest.txt",
                "messages/_conversation.html",
                "messages/student_inbox.html",
                "messages/thread.html",
                "notifications/index.html",
            )
        ),
    }
)
NOT_WORDS = {"SPRINT Placement", "English", "Español"}  # the product's name; each language's own name
TEXT_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "lazy_gettext"}
HAS_LETTERS = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
COMMENT = re.compile(r"{#.*?#}", re.S)
CSS_CLASSES = re.compile(r"^[a-z0-9 ]*-[a-z0-9 -]*$")  # "text-bg-light border"


class _Text(HTMLParser):
    """Text nodes and text attributes of a template with its Jinja parts blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        words = " ".join(text.replace("\x00", " ").split())
        for known in NOT_WORDS:
            words = words.replace(known, "")
        if HAS_LETTERS.search(words):
            self.found.append(words)


def _bare_text(source: str) -> list[str]:
    source = COMMENT.sub("", TRANS_BLOCK.sub("\x00", source))
    source = re.sub(r"(</?){{.*?}}", r"\1x", source)  # a tag named by an expression: <{{ tag }} ...>
    parser = _Text()
    parser.feed(JINJA.sub("\x00", source))
    parser.close()
    return parser.found


def _looks_like_words(value: str) -> bool:
    """A sentence or a capitalised word, not a CSS class, an endpoint, a status or a format."""
    if CSS_CLASSES.match(value) or value in NOT_WORDS:
        return False
    return bool(HAS_LETTERS.search(value)) and (" " in value.strip() or value[:1].isupper())


def _bare_literals(source: str) -> list[str]:
    """String constants in Jinja expressions that reach the page without a gettext call."""
    found: list[str] = []

    def walk(node: nodes.Node, wrapped: bool) -> None:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_CALLS:
            wrapped = True
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and not wrapped:
            if _looks_like_words(node.value):
                found.append(node.value)
        for child in node.iter_child_nodes():
            # filter and test arguments (join(', '), counted('seat')) and dict keys are not text
            skip = isinstance(node, (nodes.Filter, nodes.Test)) and child is not node.node
            walk(child, wrapped or skip or isinstance(node, (nodes.Getitem, nodes.Compare, nodes.Operand)))

    walk(Environment(extensions=["jinja2.ext.i18n"]).parse(source), False)
    return found


@pytest.mark.parametrize("template", STUDENT_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_every_student_facing_string_is_wrapped_for_translation(template):
    source = template.read_text()
    untranslated = _bare_text(source) + _bare_literals(source)
    assert untranslated == [], f"wrap these in _() in {template.relative_to(ROOT)}: {untranslated}"


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.glob("**/*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_hides_the_gettext_function(template):
    """`{% set _ = list.append(x) %}` would make every later `_('...')` in that scope call None (a 500)."""
    assert not re.search(r"{%-?\s*set\s+_\s*=", template.read_text()), "name the throwaway variable otherwise"


def test_the_checker_finds_bare_text():
    """The check above can fail: bare text, a bare attribute and a bare string constant are found."""
    source = (
        '<p title="Hover me">Hello {{ name }}</p>{{ _("Fine") }}{{ render_form(f, submit="Apply now") }}'
        "{{ 'Replace' if x == 'Some Thing' else 'text-bg-light border' }}"
    )
    assert _bare_text(source) == ["Hover me", "Hello"]
    assert _bare_literals(source) == ["Apply now", "Replace"]
    assert _bare_text('{% trans %}Wrapped{% endtrans %}<a aria-label="{{ _("x") }}">&larr; {{ x }}</a>') == []


def _catalog():
    with open(CATALOG / "messages.po", "rb") as po:
        return read_po(po, locale="es")


def _template_msgids() -> set[str]:
    found = set()
    for template in STUDENT_TEMPLATES:
        for _line, message, _comments, _context in extract_from_file(
            "jinja2", str(template), keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_student_msgid_has_a_spanish_translation():
    catalog = _catalog()
    missing, fuzzy = [], []
    for msgid in sorted(_template_msgids()):
        message = catalog.get(msgid)
        if message is None or not all(message.string if isinstance(message.string, tuple) else [message.string]):
            missing.append(msgid)
        elif message.fuzzy:
            fuzzy.append(msgid)
    assert (missing, fuzzy) == ([], []), "run the README's pybabel commands, then translate these"


def test_translations_keep_their_placeholders():
    """A msgstr that loses or renames a %(name)s would raise (or mislead) when the page renders."""
    wrong = []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            if string and set(re.findall(r"%\(\w+\)[sd]", string)) - wanted - {"%(num)s", "%(num)d"}:
                wrong.append(message.id)
            if string and not set(re.findall(r"%\(\w+\)[sd]", string)) >= wanted - {"%(num)s", "%(num)d"}:
                wrong.append(message.id)
    assert wrong == []


def test_the_committed_mo_is_the_compiled_po():
    """The .mo ships in the repository and the wheel (no compile step at install); it must say what the .po says."""
    with open(CATALOG / "messages.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    expected = {}
    for message in _catalog():
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n, string in enumerate(message.string):
                expected[(message.id[0], n)] = string
        elif message.string:
            expected[message.id] = message.string
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == expected, "run: pybabel compile -d sprint/translations"
