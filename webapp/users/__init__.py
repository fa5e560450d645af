from . import api  # noqa: F401  (routes register on the API blueprint)
