"""Sign-in through an OAuth 2 / OpenID Connect provider configured from the environment."""
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, redirect, url_for
from joserfc.errors import JoseError

from ..errors import DomainError, NotFound
from ..extensions import db
from ..services import accounts
from . import bp
from .sessions import sign_in_browser

PROVIDER = "oidc"


def register_provider(app) -> None:
    if not app.config.get("OIDC_DISCOVERY_URL"):
        return
    # A registry per app: a shared one caches its first client (URL, secret, metadata) for every later app.
    registry = OAuth(app)
    registry.register(
        PROVIDER,
        server_metadata_url=app.config["OIDC_DISCOVERY_URL"],
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        client_kwargs={"scope": app.config["OIDC_SCOPE"]},
        overwrite=True,
    )


def _client():
    registry = current_app.extensions.get("authlib.integrations.flask_client")
    client = registry.create_client(PROVIDER) if current_app.config.get("OIDC_DISCOVERY_URL") else None
    if client is None:
        raise NotFound("Single sign-on is not configured here.")
    return client


@bp.get("/sign-in/oidc")
def oidc_start():
    return _client().authorize_redirect(url_for("auth.oidc_callback", _external=True))


@bp.get("/sign-in/oidc/callback")
def oidc_callback():
    client = _client()
    try:
        token = client.authorize_access_token()
    except (OAuthError, JoseError) as error:  # JoseError: the id_token's signature or claims are wrong
        flash(f"Single sign-on failed: {error.description or error.error}")
        return redirect(url_for("auth.sign_in"))
    claims = token.get("userinfo") or client.userinfo(token=token)
    # Only a verified address may link to an existing account; otherwise anyone could claim it.
    email = claims.get("email") if claims.get("email_verified") else None
    issuer = client.load_server_metadata().get("issuer", PROVIDER)
    try:
        user = accounts.sign_in_with_identity(issuer, str(claims["sub"]), email, claims.get("name"))
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("auth.sign_in"))
    sign_in_browser(user)
    db.session.commit()
    return redirect(url_for("main.index"))
