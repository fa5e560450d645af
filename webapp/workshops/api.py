"""JSON routes for workshops."""
