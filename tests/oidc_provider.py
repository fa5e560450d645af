"""A tiny OpenID Connect provider for tests: a real HTTP server that Slotwise talks to over the wire.

It speaks the authorization code flow only: discovery, an /authorize that approves at once (or denies,
when told to), /token with client authentication and an RS256-signed id_token, /userinfo and /jwks.
Tests choose who signs in by setting `next_identity`, and may make the provider misbehave to check
that Slotwise refuses what it should.
"""
from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

KEY_ID = "test-signing-key"


def generate_signing_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


@dataclass
class Identity:
    sub: str
    email: str
    name: str
    email_verified: bool = True

    def claims(self) -> dict:
        return {"sub": self.sub, "email": self.email, "email_verified": self.email_verified, "name": self.name}


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    identity: Identity


@dataclass
class OIDCProvider:
    client_id: str
    client_secret: str
    signing_key: RSAKey = field(default_factory=generate_signing_key)
    next_identity: Identity | None = None
    deny: bool = False  # /authorize answers error=access_denied, like a user pressing "Cancel"
    id_token_nonce: str | None = None  # set to send a nonce other than the one asked for
    forging_key: RSAKey | None = None  # set to sign id_tokens with a key that /jwks does not publish
    issued_codes: int = 0
    token_requests: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, Identity] = {}
        self._lock = threading.Lock()
        self.app = self._build_app()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="oidc-provider", daemon=True)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> OIDCProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _client_credentials(self) -> tuple[str | None, str | None]:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        return request.form.get("client_id"), request.form.get("client_secret")

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            **grant.identity.claims(),
        }
        nonce = self.id_token_nonce if self.id_token_nonce is not None else grant.nonce
        if nonce is not None:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self.forging_key or self.signing_key)

    def _build_app(self) -> Flask:
        app = Flask("oidc_provider")

        def oauth_error(error: str, description: str, status: int = 400):
            return jsonify(error=error, error_description=description), status

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"],
            }

        @app.get("/jwks")
        def jwks():
            return KeySet([self.signing_key]).as_dict(private=False)

        @app.get("/authorize")
        def authorize():
            args = request.args
            redirect_uri = args.get("redirect_uri", "")
            if args.get("client_id") != self.client_id or not urlsplit(redirect_uri).scheme.startswith("http"):
                # Never redirect to an unknown client's address: answer here instead.
                return oauth_error("invalid_request", "unknown client or bad redirect_uri")
            reply = {"state": args["state"]} if "state" in args else {}
            if args.get("response_type") != "code":
                reply.update(error="unsupported_response_type")
            elif "openid" not in args.get("scope", "").split():
                reply.update(error="invalid_scope", error_description="openid scope missing")
            elif self.deny or self.next_identity is None:
                reply.update(error="access_denied", error_description="The user said no.")
            else:
                code = secrets.token_urlsafe(16)
                with self._lock:
                    self._grants[code] = _Grant(self.client_id, redirect_uri, args.get("nonce"), self.next_identity)
                    self.issued_codes += 1
                reply["code"] = code
            return redirect(f"{redirect_uri}?{urlencode(reply)}")

        @app.post("/token")
        def token():
            client_id, secret = self._client_credentials()
            self.token_requests.append({"client_id": client_id, **request.form.to_dict()})
            if client_id != self.client_id or not secrets.compare_digest(secret or "", self.client_secret):
                return oauth_error("invalid_client", "Client authentication failed.", 401)
            if request.form.get("grant_type") != "authorization_code":
                return oauth_error("unsupported_grant_type", "Only authorization_code here.")
            with self._lock:
                grant = self._grants.pop(request.form.get("code", ""), None)  # a code works once
            if grant is None or grant.redirect_uri != request.form.get("redirect_uri"):
                return oauth_error("invalid_grant", "Unknown, used or mismatched code.")
            access_token = secrets.token_urlsafe(24)
            self._access_tokens[access_token] = grant.identity
            return {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid email profile",
                "id_token": self._id_token(grant),
            }

        @app.get("/userinfo")
        def userinfo():
            header = request.headers.get("Authorization", "")
            identity = self._access_tokens.get(header[7:]) if header.lower().startswith("bearer ") else None
            if identity is None:
                return oauth_error("invalid_token", "Unknown access token.", 401)
            return identity.claims()

        return app
