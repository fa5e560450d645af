"""Account pages: sign in, sign up, sign out, password reset."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import DomainError
from ..extensions import db, limiter
from ..services import accounts
from . import bp
from .forms import RegisterForm, ResetPasswordForm, ResetRequestForm, SignInForm


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
            login_user(user)
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
    logout_user()
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
        logout_user()
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
