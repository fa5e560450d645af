"""Pydantic request and response schemas shared by the JSON API and its OpenAPI description."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from .models.accounts import EMAIL_MAX, NAME_MAX
from .models.conventions import TITLE_MAX
from .models.types import MAX_ID

Role = Literal["admin", "host", "attendee"]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
Email = Annotated[EmailStr, Field(max_length=EMAIL_MAX)]


class Schema(BaseModel):
    # strict: a number where a string belongs is a 422, not silently converted
    model_config = ConfigDict(extra="forbid", strict=True)


# An offset past the largest integer column overflows the database's parameter (a 500 before); no list is as long.
MAX_OFFSET = MAX_ID
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Field(ge=1, le=500)]
SearchText = Annotated[str, StringConstraints(max_length=TITLE_MAX)]


class QuerySchema(Schema):
    """Query strings arrive as text: numbers and booleans are converted (lax), unknown names refused."""

    model_config = ConfigDict(extra="forbid", strict=False)


class PageQuery(QuerySchema):
    """`limit` and `offset` of a list: every list's paging is read (and documented) with this."""

    limit: Limit = 50
    offset: Offset = 0


class SearchPageQuery(PageQuery):
    q: SearchText | None = Field(None, description="text to look for, case-insensitive")


class PartialUpdate(Schema):
    """A change of only the fields a request names. A named field needs a value: `null` is refused with a 422
    naming it (`parse_body` checks), instead of being ignored or written into a column that cannot hold it.
    Fields listed in `nullable` are the exception: there `null` means "clear it" (a workshop's track)."""

    nullable: ClassVar[frozenset[str]] = frozenset()


class RegisterIn(Schema):
    email: Email
    password: Password
    display_name: DisplayName


class TokenIn(Schema):
    email: Annotated[str, StringConstraints(min_length=1, max_length=EMAIL_MAX)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class TokenOut(Schema):
    access_token: str
    token_type: Literal["bearer"]
    expires_at: str


class PasswordResetIn(Schema):
    email: Email


class PasswordResetConfirmIn(Schema):
    token: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    password: Password


class MessageOut(Schema):
    message: str


class UserOut(Schema):
    id: int
    email: str
    display_name: str
    roles: list[Role]
    created_at: str
    pending_email: str | None = Field(
        default=None, description="an address waiting for its owner to open the confirmation link mailed to it")


class UserList(Schema):
    items: list[UserOut]
    total: int


class UserCreateIn(Schema):
    email: Email
    password: Password
    display_name: DisplayName
    roles: list[Role] = Field(default_factory=list, max_length=3)


class UserUpdateIn(PartialUpdate):
    email: Email | None = Field(default=None, description="your own: applies once the link mailed to it is opened")
    display_name: DisplayName | None = None
    password: Password | None = None
    current_password: str | None = Field(
        default=None, max_length=128, description="needed to change your own password or email")


class EmailConfirmIn(Schema):
    token: str = Field(min_length=1, max_length=1000)


class RolesIn(Schema):
    roles: list[Role] = Field(max_length=3)


class OutboxMessageOut(Schema):
    id: int
    recipient: str
    subject: str
    body: str
    created_at: str
    sent_at: str | None
    error: str | None


class OutboxList(Schema):
    items: list[OutboxMessageOut]
    total: int
