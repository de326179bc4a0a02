"""Sign-in forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from node.forms import Form
from node.members.models import ROLES


class SignInForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=512)])


class AcceptInvitationForm(Form):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "Choose a password (10 characters or more)", validators=[Length(max=512)]
    )
    confirm = PasswordField(
        "Repeat the password", validators=[EqualTo("password", "The passwords differ.")]
    )


class ResetRequestForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(Form):
    password = PasswordField(
        "New password (10 characters or more)", validators=[DataRequired(), Length(min=10, max=512)]
    )
    confirm = PasswordField(
        "Repeat the password", validators=[EqualTo("password", "The passwords differ.")]
    )


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SigninLinkRequestForm(Form):
    # Phones' autocomplete often adds a space: an address with one is still the address.
    # Labelled apart from the password form's "E-mail" on the same page: one label, one field.
    email = EmailField(
        "Your address for the link",
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[_strip],
    )


class UseSigninLinkForm(Form):
    """The button behind a mailed sign-in link; a password may be chosen on the way."""

    password = PasswordField(
        "Choose a password (optional, 10 characters or more)", validators=[Length(max=512)]
    )
    confirm = PasswordField(
        "Repeat the password", validators=[EqualTo("password", "The passwords differ.")]
    )


class InviteForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role", choices=[SelectChoice(r, r.title()) for r in ROLES], default="member"
    )
