"""JSON routes for hosts."""
