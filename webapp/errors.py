"""Domain errors, and the one place that renders any error as JSON, an HTMX fragment or a page."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db, htmx


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class Malformed(DomainError):
    status, code = 400, "malformed"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class ValidationFailed(DomainError):
    status, code = 422, "validation_failed"


HTTP_CODES = {
    400: "malformed", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "body_too_large", 415: "unsupported_media_type", 422: "validation_failed",
    429: "rate_limited", 500: "internal_error",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/api":
        return True
    if htmx:
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, code: str, message: str, fields: dict | None = None):
    if wants_json():
        return jsonify(error_body(code, message, fields)), status
    template = "errors/_error.html" if htmx else "errors/page.html"
    return render_template(template, status=status, code=code, message=message, fields=fields or {}), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.code, error.message, error.fields)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if isinstance(error, SecurityError):
            # an untrusted Host header: no page can be built (links need the host); answer plainly
            return jsonify(error_body("untrusted_host", error.description or "Untrusted host.")), 400
        status = error.code or 500
        if status >= 400:
            db.session.rollback()
        code = HTTP_CODES.get(status, "http_error")
        message = error.description or error.name
        if status == 429:
            message = f"Too many attempts; try again later ({error.description})."
        response = render_error(status, code, message)
        if status == 405 and error.get_response().headers.get("Allow"):
            body, status = response
            return body, status, {"Allow": error.get_response().headers["Allow"]}
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500, "internal_error", "Something went wrong on our side; it has been logged.")
