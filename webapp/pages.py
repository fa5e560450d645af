"""One path for a page's action (a form post or an htmx button), as `api_route` is for JSON.

The view parses its form (`forms.parse_form`, which raises `FormInvalid`), calls the services and
returns what success looks like. `page_action` then commits, once. A refusal the person can fix
(409 conflict, 422 invalid) rolls everything back and answers `on_refusal(errors, **view_args)`:
the form or partial again, with the errors beside the inputs and `errors.status` as the status.
Anything else (401, 403, 404) goes to the one error renderer (errors.py), which rolls back too.
Reads (GET) never commit: only a decorated action does.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

from flask.typing import ResponseReturnValue

from .errors import Conflict, ValidationFailed
from .extensions import db
from .forms import FormErrors, domain_errors

FIXABLE = (Conflict, ValidationFailed)  # what the person can fix on the page; the rest is an error page

Refusal = Callable[..., ResponseReturnValue]


def page_action(on_refusal: Refusal, fields: Iterable[str] = ()):
    """Decorate a page's action view; `fields` are the inputs a service's field notes may sit beside."""
    names = tuple(fields)

    def decorator(view: Callable[..., ResponseReturnValue]):
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            try:
                response = view(*args, **kwargs)
            except FIXABLE as error:
                db.session.rollback()
                errors: FormErrors = domain_errors(error, names)
                return on_refusal(errors, **kwargs)
            db.session.commit()
            return response

        return wrapper

    return decorator
