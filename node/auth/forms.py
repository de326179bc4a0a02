"""Sign-in forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from node.forms import Form
from node.members.models import ROLE_LABELS, ROLES


class SignInForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=512)])


class AcceptInvitationForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Choose a password (10 characters or more)"), validators=[Length(max=512)]
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(Form):
    password = PasswordField(
        _l("New password (10 characters or more)"),
        validators=[DataRequired(), Length(min=10, max=512)],
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SigninLinkRequestForm(Form):
    # Phones' autocomplete often adds a space: an address with one is still the address.
    # Labelled apart from the password form's "E-mail" on the same page: one label, one field.
    email = EmailField(
        _l("Your address for the link"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[_strip],
    )


class UseSigninLinkForm(Form):
    """The button behind a mailed sign-in link; a password may be chosen on the way."""

    password = PasswordField(
        _l("Choose a password (optional, 10 characters or more)"), validators=[Length(max=512)]
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )


class InviteForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES], default="member"
    )
