"""Model -> JSON dictionaries for API responses (times as ISO 8601 with offset)."""
from __future__ import annotations

from datetime import datetime

from .models import OutboxMessage, User


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "roles": user.roles,
        "created_at": iso(user.created_at),
        "pending_email": user.pending_email,
    }


def outbox_json(message: OutboxMessage) -> dict:
    return {
        "id": message.id,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.sent_at),
        "error": message.error,
    }
