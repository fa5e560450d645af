"""Account pages: sign in, sign up, sign out, password reset."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db, limiter
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


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register(form.email.data, form.password.data, form.display_name.data)
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            flash("If this address had no account, it has one now: sign in. Otherwise check your mail.")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/register.html", form=form)


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


@bp.post("/account/name")
@login_required
def change_name():
    form = ProfileForm(prefix="profile")
    if form.validate_on_submit():
        users.update_user(current_user, current_user.id, display_name=form.display_name.data)
        db.session.commit()
        flash("Your name is saved.")
        return redirect(url_for("auth.account"))
    return _account_page(profile=form, status=422)


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            users.update_user(current_user, current_user.id, password=form.password.data,
                              current_password=form.current_password.data, keep_session=current_session_token())
        except DomainError as error:
            db.session.rollback()
            form.current_password.errors.append(error.message)
        else:
            db.session.commit()
            flash("Your password is changed. Every other browser and app signed in as you was signed out.")
            return redirect(url_for("auth.account"))
    return _account_page(password=form, status=422)


@bp.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        try:
            users.update_user(current_user, current_user.id, email=form.email.data,
                              current_password=form.current_password.data)
        except DomainError as error:
            db.session.rollback()
            (form.email if error.code == "email_taken" else form.current_password).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"We sent a link to {form.email.data.strip().lower()}. Your address changes once you open it.")
            return redirect(url_for("auth.account"))
    return _account_page(email=form, status=422)


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
