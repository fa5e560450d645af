"""User administration over JSON (admins), plus the mail outbox."""
from flask import request
from flask_login import current_user

from ..api import bp as api_bp
from ..auth.sessions import bearer_token, current_session_token
from ..api.routing import api_route, listing, page_args, parse_body
from ..schemas import OutboxList, RolesIn, UserCreateIn, UserList, UserOut, UserUpdateIn
from ..serializers import outbox_json, user_json
from ..services import mail, users


@api_route(api_bp, "/users", ["GET"], summary="List users (admin)", response=UserList, tag="users")
def list_users():
    limit, offset = page_args()
    rows, total = users.list_users(current_user, limit, offset, request.args.get("q"))
    return listing([user_json(u) for u in rows], total)


@api_route(api_bp, "/users", ["POST"], summary="Create a user (admin)", body=UserCreateIn, response=UserOut,
           status=201, tag="users")
def create_user():
    data = parse_body(UserCreateIn)
    return user_json(users.admin_create_user(current_user, data.email, data.password, data.display_name, data.roles))


@api_route(api_bp, "/users/<int:user_id>", ["GET"], summary="One user (admin, or yourself)", response=UserOut,
           tag="users")
def get_user(user_id: int):
    return user_json(users.get_user(current_user, user_id))


@api_route(api_bp, "/users/<int:user_id>", ["PUT"], summary="Change a user (admin, or yourself)",
           body=UserUpdateIn, response=UserOut, tag="users")
def update_user(user_id: int):
    data = parse_body(UserUpdateIn)
    return user_json(users.update_user(current_user, user_id, **data.model_dump(exclude_unset=True),
                                       keep_session=current_session_token(), keep_token=bearer_token()))


@api_route(api_bp, "/users/<int:user_id>", ["DELETE"], summary="Delete a user (admin)", status=204, tag="users")
def delete_user(user_id: int):
    users.delete_user(current_user, user_id)
    return "", 204


@api_route(api_bp, "/users/<int:user_id>/roles", ["PUT"], summary="Set a user's roles (admin)", body=RolesIn,
           response=UserOut, tag="users")
def set_roles(user_id: int):
    data = parse_body(RolesIn)
    return user_json(users.set_roles(current_user, user_id, data.roles))


@api_route(api_bp, "/outbox", ["GET"], summary="Mail Slotwise sent or kept (admin)", response=OutboxList,
           tag="users")
def list_outbox():
    limit, offset = page_args()
    rows, total = mail.list_outbox(current_user, limit, offset)
    return listing([outbox_json(m) for m in rows], total)
