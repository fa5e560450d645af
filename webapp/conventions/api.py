"""JSON routes for conventions."""
