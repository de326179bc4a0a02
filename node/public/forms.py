"""The join form, the officers' public-page settings, and the merge choice."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from node.forms import Form


class JoinForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    ward = StringField(_l("Ward or postcode"), validators=[DataRequired(), Length(max=120)])
    union = StringField(_l("Trade union (optional)"), validators=[Optional(), Length(max=120)])
    phone = TelField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    consent_email = BooleanField(
        _l(
            "I agree to be contacted by e-mail about the group: meetings, events, campaigns, "
            "votes and newsletters. I can unsubscribe at any time."
        )
    )
    consent_phone = BooleanField(
        _l("I agree to be contacted by phone or text message (only if I gave a number).")
    )
    consent_data = BooleanField(
        _l("I have read how my details are used (above) and agree to the group keeping them."),
        validators=[
            DataRequired(_l("Please tick this box: we cannot keep your details without it."))
        ],
    )
    # The honeypot: hidden from people, filled in by form-filling robots.
    website = StringField(_l("Leave this empty"), validators=[Optional(), Length(max=200)])

    def validate_consent_phone(self, field: BooleanField) -> None:
        if field.data and not (self.phone.data or "").strip():
            raise ValidationError(_("Give a phone number, or untick this box."))


class PublicPageForm(Form):
    description = TextAreaField(
        _l(
            "Who we are (shown to everyone; Markdown: **bold**, *italic*, [link](https://…), lists)"
        ),
        validators=[Optional(), Length(max=10_000)],
    )
    join_open = BooleanField(_l("Show the join form on the public page"))
    auto_accept = BooleanField(
        _l("Accept confirmed join requests automatically (no officer approval)")
    )
    results_public = BooleanField(
        _l(
            "Let anyone recount our published ballots (the result and the anonymised papers are public)"
        )
    )


class MergeForm(Form):
    email = EmailField(
        _l("E-mail of the member already on the roster"),
        validators=[DataRequired(), Email(), Length(max=254)],
    )
