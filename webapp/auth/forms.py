"""Sign-in and account forms; the same length limits as the API schemas."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..models.accounts import EMAIL_MAX, NAME_MAX
from ..services.accounts import PASSWORD_MAX, PASSWORD_MIN


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class RegisterForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)])
    confirm = PasswordField("Repeat it", validators=[DataRequired(), EqualTo("password", "The two do not match.")])


class ProfileForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)])
    confirm = PasswordField("Repeat it", validators=[DataRequired(), EqualTo("password", "The two do not match.")])


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email address", validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class ConfirmEmailForm(FlaskForm):
    """Only the CSRF token: opening the mailed link shows a button, so no GET request changes anything."""
