from . import api  # noqa: F401  (JSON routes register on the API blueprint)
