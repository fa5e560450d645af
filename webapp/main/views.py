"""The home page and the admin's view of the mail outbox."""
from flask import render_template
from flask_login import current_user, login_required

from ..api.routing import page_args
from ..services import conventions, mail
from . import bp


@bp.get("/")
def index():
    open_conventions, _ = conventions.list_conventions(current_user, limit=20, offset=0, status="open")
    return render_template("main/index.html", conventions=open_conventions)


@bp.get("/admin/outbox")
@login_required
def outbox():
    limit, offset = page_args()
    messages, total = mail.list_outbox(current_user, limit, offset)
    return render_template("main/outbox.html", messages=messages, total=total)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
