"""Words and numbers in the reader's language: Flask-Babel, set up once for every room.

Every sentence a person reads is written in English in the code and marked for translation:
``_("…")`` (``flask_babel.gettext``) in views and operations, ``_l("…")`` (``lazy_gettext``) where
the text is built before a request exists (form labels, module constants), ``{{ _("…") }}`` or
``{% trans %}…{% endtrans %}`` in templates; ``N_("…")`` marks a label kept in a registry, translated
where it is shown. ``make messages`` extracts them all into
``node/translations/messages.pot`` (``babel.cfg`` says where to look); a translation is a
``node/translations/<locale>/LC_MESSAGES/messages.po`` compiled to ``.mo``.

The language is the best match between the browser's ``Accept-Language`` and the translations
installed, British English when nothing matches; ``COMMONGROUND_LOCALE`` pins one for the whole
install. Times and numbers go through Babel in the same locale (``node.timefmt``); a count in a
sentence is written ``%(num)s`` and grouped the same way (:func:`ngettext`, and the templates'
``ngettext``), so "1,234 members" reads as the reader's language writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import flask_babel
from babel import Locale
from babel.numbers import format_decimal
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, get_locale
from jinja2 import pass_context
from jinja2.runtime import Context

DEFAULT_LOCALE = "en_GB"
TRANSLATIONS = Path(__file__).parent / "translations"


def N_(text: str) -> str:
    """Mark ``text`` for extraction and leave it as it is: a label kept in a registry (a menu
    entry) and translated where it is shown (``{{ _(label) }}``)."""
    return text


def installed_locales(app: Flask) -> list[str]:
    """The locales with a compiled catalogue in any of the app's translation folders."""
    found = {DEFAULT_LOCALE}
    for folder in str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";"):
        base = Path(folder)
        if base.is_dir():
            found.update(p.parent.parent.name for p in base.glob("*/LC_MESSAGES/messages.mo"))
    return sorted(found)


def select_locale() -> str:
    pinned = current_app.config.get("LOCALE")
    if pinned:
        return str(pinned)
    if not has_request_context():
        return DEFAULT_LOCALE
    available = current_app.extensions["commonground_locales"]
    wanted = request.accept_languages.best_match([tag.replace("_", "-") for tag in available])
    return wanted.replace("-", "_") if wanted else DEFAULT_LOCALE


def current_locale() -> Locale:
    """The locale of the page or mail being made (British English outside a request)."""
    try:
        return get_locale() or Locale.parse(DEFAULT_LOCALE)
    except RuntimeError:  # no app context: a command formatting on its own
        return Locale.parse(DEFAULT_LOCALE)


def number(value: int | None) -> str:
    """A count as the reader's language writes it: 12,345 in English, 12 345 in French (with
    the narrow no-break space CLDR gives). ``{{ total|number }}``; empty for None."""
    return "" if value is None else format_decimal(value, locale=current_locale())


class Count(int):
    """A count that prints (``%(num)s``, ``str``) as the reader's language writes it and still
    chooses the plural form, and compares and adds, as the int it is."""

    __slots__ = ()

    def __str__(self) -> str:
        return number(int(self))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``flask_babel.ngettext`` with ``%(num)s`` grouped in the reader's language."""
    return flask_babel.ngettext(singular, plural, Count(num), **variables)


def _grouping_ngettext(app: Flask) -> None:
    """The templates' ``ngettext`` (Jinja's i18n extension, as Flask-Babel installs it), with
    ``%(num)s`` grouped too; everything else, escaping included, is Jinja's own."""
    jinja_ngettext = cast(Callable[..., str], app.jinja_env.globals["ngettext"])

    @pass_context
    def grouped(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", Count(num))
        return jinja_ngettext(context, singular, plural, num, **variables)

    app.jinja_env.globals["ngettext"] = grouped


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.extensions["commonground_locales"] = installed_locales(app)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["number"] = number
    _grouping_ngettext(app)

    @app.context_processor
    def _html_lang() -> dict[str, str]:
        return {"html_lang": str(current_locale()).replace("_", "-")}
