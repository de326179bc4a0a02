"""The newsletter form: subject, Markdown body and the segment it goes to."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from node.forms import Form
from node.newsletters.operations import MAX_BODY, MAX_SUBJECT


class NewsletterForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=MAX_SUBJECT)])
    body = TextAreaField(
        _l("Message (Markdown: **bold**, *italic*, [a link](https://example.org), - lists)"),
        validators=[DataRequired(), Length(max=MAX_BODY)],
        render_kw={"rows": 16},
    )
    # Choices are the group's own segments, set by the view (an unknown value is refused).
    segment = SelectField(_l("Send to"), choices=[SelectChoice("all:", _l("All members"))])
