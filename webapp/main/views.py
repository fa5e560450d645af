"""The home page and the admin's view of the mail outbox."""
from flask import render_template
from flask_login import current_user, login_required

from ..paging import page_count, page_of, requested_page
from ..services import conventions, mail
from . import bp

OUTBOX_PAGE = 50


@bp.get("/")
def index():
    open_conventions, _ = conventions.list_conventions(current_user, limit=20, offset=0, status="open")
    return render_template("main/index.html", conventions=open_conventions)


@bp.get("/admin/outbox")
@login_required
def outbox():
    messages, total, page = page_of(lambda offset: mail.list_outbox(current_user, OUTBOX_PAGE, offset),
                                    requested_page(OUTBOX_PAGE), OUTBOX_PAGE)
    return render_template("main/outbox.html", messages=messages, total=total, page=page,
                           pages=page_count(total, OUTBOX_PAGE))


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
