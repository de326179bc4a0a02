"""The join form, the officers' public-page settings, and the merge choice."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from node.forms import Form


class JoinForm(Form):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    ward = StringField("Ward or postcode", validators=[DataRequired(), Length(max=120)])
    union = StringField("Trade union (optional)", validators=[Optional(), Length(max=120)])
    phone = TelField("Phone (optional)", validators=[Optional(), Length(max=40)])
    consent_email = BooleanField(
        "I agree to be contacted by e-mail about the group: meetings, events, campaigns, votes "
        "and newsletters. I can unsubscribe at any time."
    )
    consent_phone = BooleanField(
        "I agree to be contacted by phone or text message (only if I gave a number)."
    )
    consent_data = BooleanField(
        "I have read how my details are used (above) and agree to the group keeping them.",
        validators=[DataRequired("Please tick this box: we cannot keep your details without it.")],
    )
    # The honeypot: hidden from people, filled in by form-filling robots.
    website = StringField("Leave this empty", validators=[Optional(), Length(max=200)])

    def validate_consent_phone(self, field: BooleanField) -> None:
        if field.data and not (self.phone.data or "").strip():
            raise ValidationError("Give a phone number, or untick this box.")


class PublicPageForm(Form):
    description = TextAreaField(
        "Who we are (shown to everyone; Markdown: **bold**, *italic*, [link](https://…), lists)",
        validators=[Optional(), Length(max=10_000)],
    )
    join_open = BooleanField("Show the join form on the public page")
    auto_accept = BooleanField("Accept confirmed join requests automatically (no officer approval)")
    results_public = BooleanField(
        "Let anyone recount our published ballots (the result and the anonymised papers are public)"
    )


class MergeForm(Form):
    email = EmailField(
        "E-mail of the member already on the roster",
        validators=[DataRequired(), Email(), Length(max=254)],
    )
