"""Member forms. Validation here gives the person a message; operations enforce the rules."""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import HiddenInput

from node.errors import size_in_words
from node.forms import Form
from node.members.csv_io import MAX_ROWS
from node.members.models import ROLE_LABELS, ROLES, STATUS_LABELS, STATUSES


class ProfileForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    ward = StringField(_l("Ward or branch"), validators=[Optional(), Length(max=120)])
    union = StringField(_l("Trade union"), validators=[Optional(), Length(max=120)])
    workplace = StringField(_l("Workplace"), validators=[Optional(), Length(max=200)])
    consent_email = BooleanField(_l("I agree to receive e-mails from the group"))
    consent_phone = BooleanField(_l("I agree to be phoned or texted by the group"))


class MemberForm(ProfileForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    joined_on = DateField(_l("Joined"), validators=[DataRequired()])
    status = SelectField(
        _l("Status"), choices=[SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES]
    )
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    notes = TextAreaField(_l("Notes (officers only)"), validators=[Optional(), Length(max=5000)])


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


def upload_limits() -> dict[str, str]:
    """What a CSV upload page says it accepts, in words: the request size limit (a bigger file
    gets the 413 page, ``errors/413.html``) and the rows one file may hold."""
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    return {"size": size_in_words(limit) if limit else _("no set size"), "rows": f"{MAX_ROWS:,}"}


def pack(data: bytes) -> str:
    """An uploaded file as the preview page carries it: compressed, then base64."""
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def unpack(text: str, limit: int) -> bytes:
    """:func:`pack` undone; ValueError for anything else, or for more than ``limit`` bytes."""
    try:
        packed = base64.b64decode(text.encode("ascii"), validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, limit + 1)
    except (binascii.Error, UnicodeEncodeError, zlib.error):
        raise ValueError("not a file this page sent") from None
    if len(data) > limit or inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("not a file this page sent, or larger than uploads may be")
    return data


class PayloadField(Field):
    """The uploaded CSV, carried from the preview to the confirmation inside the page.

    So nothing is kept on the server between the two steps. It is bytes, not text a person
    types (hence not a StringField): :func:`unpack` accepts only what :func:`pack` writes and
    no more than the upload limit once inflated; the CSV is checked again in full on confirm.
    """

    widget = HiddenInput()

    def _value(self) -> str:
        return pack(self.data) if isinstance(self.data, bytes) else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and valuelist[0]:
            limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 5 * 1024 * 1024)
            self.data = unpack(str(valuelist[0]), limit)


class ImportPreviewForm(Form):
    """The preview's form: the file, its name, and a digest of the preview the officer saw.

    The column selects (``map-0`` …) are read by node.members.csv_mapping.from_form.
    """

    payload = PayloadField()
    filename = HiddenField(validators=[Optional(), Length(max=255)])
    previewed = HiddenField(validators=[Optional(), Length(max=64)])
