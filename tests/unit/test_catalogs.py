"""The catalogs (kiosk/i18n/catalogs): every message in every language, every plural message in
every form CLDR gives that language, the same placeholders everywhere, compiled catalogs that
match their sources, and no text built by joining words in the code that shows them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from kiosk import i18n
from kiosk.i18n import CATALOGS, LANGUAGES, PLURAL_SUFFIX
from kiosk.i18n.build import compiled
from kiosk.i18n.plurals import categories, header

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"{(\w+)}")


def source(lang: str) -> Catalog:
    with (CATALOGS / f"{lang}.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


ENGLISH = source("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_in_every_catalog(lang: str) -> None:
    catalog = source(lang)
    assert ids(catalog) == ids(ENGLISH), (
        f"{lang}: missing {ids(ENGLISH) - ids(catalog)}, extra {ids(catalog) - ids(ENGLISH)}"
    )
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, (lang, message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{lang}: {message.id} is empty"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_message_has_every_form_cldr_gives_the_language(lang: str) -> None:
    catalog = source(lang)
    assert catalog.plural_forms == header(lang)  # the catalog's rule is CLDR's, by Babel
    wanted = Locale.parse(lang).plural_form.tags | {"other"}
    assert set(categories(lang)) == wanted
    plurals = [m for m in catalog if m.pluralizable]
    assert plurals, "no plural message at all"
    for message in plurals:
        assert message.id[1] == message.id[0] + PLURAL_SUFFIX
        assert len(message.string) == catalog.num_plurals, (lang, message.id[0])
        for category in wanted:  # each category reaches a written form
            assert message.string[categories(lang)[category]].strip(), (lang, category)


def test_arabic_has_six_forms_and_uses_them() -> None:
    said = {n: i18n.plural("ar", "ui.ahead", n, n=n) for n in (0, 1, 2, 3, 11, 100)}
    assert said == {
        0: "لا أحد أمامك",
        1: "أمامك شخص واحد",
        2: "أمامك شخصان",
        3: "أمامك 3 أشخاص",
        11: "أمامك 11 شخصًا",
        100: "أمامك 100 شخص",
    }
    assert i18n.plural("ar", "speech.minutes", 7, n=7) == "7 دقائق"
    assert i18n.plural("it", "ui.more_time_help", 1, s=1).startswith("Tra 1 secondo ")
    assert i18n.plural("en", "ui.more_time_help", 1, s=1) == "Going back to the start in 1 second."


def _placeholders(message_string: str | tuple[str, ...]) -> set[str]:
    strings = message_string if isinstance(message_string, tuple) else (message_string,)
    return {name for s in strings for name in PLACEHOLDER.findall(s)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_the_english_ones(lang: str) -> None:
    english = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in ENGLISH if m.id}
    for message in source(lang):
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        used = _placeholders(message.string)
        # A form may leave its number out ("أمامك شخصان"), never bring a value of its own.
        assert used <= _placeholders(english[key]), (lang, key, used)
        if not message.pluralizable:
            assert used == _placeholders(english[key]), (lang, key)
        for s in message.string if isinstance(message.string, tuple) else (message.string,):
            s.format(**dict.fromkeys(_placeholders(english[key]), 1))  # no stray brace


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_is_its_source(lang: str) -> None:
    assert (CATALOGS / f"{lang}.mo").read_bytes() == compiled(lang), (
        f"{lang}.mo is older than {lang}.po: run python -m kiosk.i18n.build"
    )


def test_the_days_of_the_week_are_cldr_s_and_need_no_babel_on_the_totem() -> None:
    """The table the screens read is what Babel says today; reading it loads no Babel."""
    import subprocess
    import sys

    from kiosk.i18n.build import days

    assert (CATALOGS / "days.json").read_bytes() == days(), (
        "days.json is older than Babel's data: run python -m kiosk.i18n.build"
    )
    code = (
        "import sys; from kiosk.i18n.dates import weekday, weekdays;"
        "print(weekday('it', 2), weekdays('ar', 'wide')[4], 'babel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["mer", "الجمعة", "False"]


def test_a_missing_message_is_an_error_not_a_blank() -> None:
    with pytest.raises(KeyError, match=r"ui\.nothing"):
        i18n.text("it", "ui.nothing")


def test_a_page_gets_its_plurals_by_cldr_category() -> None:
    table = i18n.plural_table("ar", "phone")["ahead"]
    assert set(table) == {"zero", "one", "two", "few", "many", "other"}
    assert table["two"] == "شخصان قبلك"
    assert i18n.plural_table("en", "phone")["ahead"] == {
        "one": "{n} person before you",
        "other": "{n} people before you",
    }
    assert "ahead" not in i18n.messages("en", "phone")  # plural ones come by category


# --- no text built by joining words ----------------------------------------------------------
TRANSLATE = {"text", "plural", "with_state", "paper_in"}
SOURCES = ("kiosk", "drivers", "central", "sync")


def _is_translation(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    return name in TRANSLATE and len(node.args) >= 2  # (lang, key): not a widget's .text()


def _parts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.JoinedStr):
        return [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _parts(node.left) + _parts(node.right)
    return [node]


def joined_words(tree: ast.AST) -> list[str]:
    """Expressions that put a translated message beside words or values of their own."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr | ast.BinOp):
            continue
        parts = _parts(node)
        calls = [p for p in parts if _is_translation(p)]
        if not calls:
            continue
        literals = [p.value for p in parts if isinstance(p, ast.Constant)]
        others = [p for p in parts if not _is_translation(p) and not isinstance(p, ast.Constant)]
        if (
            any(re.search(r"\w", str(s)) for s in literals)
            or others
            or (len(calls) > 1 and not all("\n" in str(s) for s in literals))
        ):
            found.append(ast.unparse(node))
    return found


def test_no_text_is_built_by_joining_words() -> None:
    offenders = []
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for expr in joined_words(ast.parse(path.read_text("utf-8"))):
                offenders.append(f"{path.relative_to(ROOT)}: {expr}")
    assert not offenders, "\n".join(offenders)


def test_the_joining_check_sees_what_it_must() -> None:
    assert joined_words(ast.parse("f'{text(lang, \"volume\")} {self.volume}%'"))
    assert joined_words(ast.parse("f\"{n} {text(lang, 'minutes')}\""))
    assert joined_words(ast.parse("text(l, 'a') + ': ' + text(l, 'b')"))
    assert not joined_words(ast.parse("hint + '\\n' + text(lang, 'b')"[7:]))
    assert not joined_words(ast.parse("f'◐ {text(lang, \"contrast_short\")}'"))
