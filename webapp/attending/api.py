"""JSON routes for attending."""
