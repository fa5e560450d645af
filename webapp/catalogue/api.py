"""JSON routes for catalogue."""
