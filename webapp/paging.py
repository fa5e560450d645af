"""Numbered pages of a list on the HTML pages (`?page=`), bounded as every API offset is."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import request

from .errors import ValidationFailed
from .schemas import MAX_OFFSET

Row = TypeVar("Row")


def requested_page(page_size: int) -> int:
    """`?page=` (1 when absent): not a whole number >= 1 is a 422; a page beyond any list (even one whose offset
    no database integer holds) is capped, and `page_of` then shows the last page."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:  # also more digits than int() reads
        page = 0
    if page < 1:
        raise ValidationFailed("Some search fields are invalid.", fields={"page": "must be a whole number >= 1"})
    return min(page, MAX_OFFSET // page_size + 1)


def page_count(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


def page_of(fetch: Callable[[int], tuple[list[Row], int]], page: int, page_size: int) -> tuple[list[Row], int, int]:
    """(rows, total, page) of `fetch(offset) -> (rows, total)`; a page past the end shows the last one."""
    rows, total = fetch((page - 1) * page_size)
    last = page_count(total, page_size)
    if page > last:
        page = last
        rows, total = fetch((page - 1) * page_size)
    return rows, total, page
