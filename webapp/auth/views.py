"""Account pages: sign in, sign up, sign out, password reset."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db, limiter
from ..forms import FORM_ERROR, FormErrors
from ..pages import page_action
from ..services import accounts, users
from . import bp
from .forms import (
    ChangeEmailForm, ChangePasswordForm, ConfirmEmailForm, ProfileForm, RegisterForm, ResetPasswordForm,
    ResetRequestForm, SignInForm,
)
from .sessions import current_session_token, sign_in_browser, sign_out_browser


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so ?next= cannot send people elsewhere."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            sign_in_browser(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    oidc = bool(current_app.config.get("OIDC_DISCOVERY_URL"))
    return render_template("auth/sign_in.html", form=form, oidc=oidc, oidc_name=current_app.config["OIDC_NAME"])


SIGNED_UP = "Check your mail: we sent a message to {email}."


def _register_refused(errors: FormErrors, **_):
    form = RegisterForm()
    show_refusal(errors, form, "password")
    return render_template("auth/register.html", form=form), errors.status


@bp.get("/register")
def register():
    return render_template("auth/register.html", form=RegisterForm())


@bp.post("/register")
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"])
@page_action(_register_refused, ["display_name", "email", "password"])
def sign_up():
    """A new address is signed in at once; a taken one is not, and its owner is mailed. Both land on the
    same page with the same words (README, "Sign-up and account enumeration", says what this does not hide)."""
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form), 422
    user = accounts.register(form.email.data, form.password.data, form.display_name.data)
    if user is not None:
        sign_in_browser(user)
    flash(SIGNED_UP.format(email=accounts.normalise_email(form.email.data)))
    return redirect(url_for("main.index"))


@bp.post("/sign-out")
def sign_out():
    sign_out_browser()
    db.session.commit()
    flash("Signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash("If this address has an account, a reset link is on its way.")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/request_reset.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD_RESET"], methods=["POST"])
def reset_password(token: str):
    if current_user.is_authenticated:
        sign_out_browser()
        db.session.commit()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            flash("Password changed; sign in with the new one.")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account")
@login_required
def account():
    return _account_page()


def _account_page(profile=None, password=None, email=None, status=200):
    return render_template(
        "auth/account.html",
        profile=profile or ProfileForm(prefix="profile", display_name=current_user.display_name),
        password=password or ChangePasswordForm(prefix="password"),
        email=email or ChangeEmailForm(prefix="email"),
    ), status


def show_refusal(errors: FormErrors, form, default_field: str) -> None:
    """A service's refusal beside the input it names (else `default_field`), in the service's words."""
    named = next((name for name in errors if name != FORM_ERROR and name in form), default_field)
    form[named].errors = [*form[named].errors, errors.general or errors[named]]


def _account_refused(key: str, form_class, default_field: str):
    def refused(errors: FormErrors, **_):
        form = form_class(prefix=key)
        show_refusal(errors, form, default_field)
        return _account_page(**{key: form}, status=errors.status)

    return refused


@bp.post("/account/name")
@login_required
@page_action(_account_refused("profile", ProfileForm, "display_name"), ["display_name"])
def change_name():
    form = ProfileForm(prefix="profile")
    if not form.validate_on_submit():
        return _account_page(profile=form, status=422)
    users.update_user(current_user, current_user.id, display_name=form.display_name.data)
    flash("Your name is saved.")
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
@page_action(_account_refused("password", ChangePasswordForm, "current_password"), ["current_password", "password"])
def change_password():
    form = ChangePasswordForm(prefix="password")
    if not form.validate_on_submit():
        return _account_page(password=form, status=422)
    users.update_user(current_user, current_user.id, password=form.password.data,
                      current_password=form.current_password.data, keep_session=current_session_token())
    flash("Your password is changed. Every other browser and app signed in as you was signed out.")
    return redirect(url_for("auth.account"))


@bp.post("/account/email")
@login_required
@page_action(_account_refused("email", ChangeEmailForm, "current_password"), ["email", "current_password"])
def change_email():
    form = ChangeEmailForm(prefix="email")
    if not form.validate_on_submit():
        return _account_page(email=form, status=422)
    users.update_user(current_user, current_user.id, email=form.email.data, current_password=form.current_password.data)
    flash(f"We sent a link to {accounts.normalise_email(form.email.data)}. Your address changes once you open it.")
    return redirect(url_for("auth.account"))


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    form = ConfirmEmailForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.confirm_email_change(token)
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
        else:
            db.session.commit()
            flash(f"Your address is now {user.email}.")
            return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.sign_in"))
    return render_template("auth/confirm_email.html", form=form, error=error)
