"""Outgoing mail: always recorded in the outbox, sent by SMTP when a server is configured."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import OutboxMessage, User, utcnow
from .permissions import require_admin


def send_mail(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = _send(recipient, subject, body)
    db.session.flush()
    return message


def send_mails(messages) -> None:
    """Many (recipient, subject, body) at once, with one flush (a seat allocation mails thousands)."""
    for recipient, subject, body in messages:
        _send(recipient, subject, body)
    db.session.flush()


def _send(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject[:200], body=body)
    db.session.add(message)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            _deliver_smtp(config, message)
            message.sent_at = utcnow()
        except (OSError, smtplib.SMTPException) as exc:
            # Kept in the outbox with the reason, so an admin can still read and forward it.
            message.error = f"{type(exc).__name__}: {exc}"[:500]
            current_app.logger.warning("mail to %s not sent: %s", recipient, message.error)
    return message


def _deliver_smtp(config, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def list_outbox(actor: User | None, limit: int, offset: int) -> tuple[list[OutboxMessage], int]:
    require_admin(actor)
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    rows = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total or 0
