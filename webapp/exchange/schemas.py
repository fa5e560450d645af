"""Schemas of the exchange routes, and the import form (the API's multipart body and the page's form alike)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from flask import request
from pydantic import Field, ValidationError

from ..errors import Malformed, ValidationFailed
from ..forms import validation_errors
from ..schemas import Schema
from ..conventions.schemas import TimeZoneName


class CalendarFeedOut(Schema):
    url: str | None
    webcal_url: str | None


class ImportReportOut(Schema):
    convention_id: int
    created_convention: bool
    counts: dict[str, int]
    skipped: list[str]
    notes: list[str]


class ImportOut(Schema):
    convention_id: int
    report: ImportReportOut


class ImportFieldsIn(Schema):
    convention_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    keep_placements: bool = False
    timezone: TimeZoneName | None = None


class ImportUploadIn(ImportFieldsIn):
    """The import's multipart/form-data body as the API documents it (parse_import_form reads it)."""

    file: Annotated[bytes, Field(description="the schedule file: a frab or pentabarf schedule.xml, or a frab or "
                                             "pretalx schedule.json")]


@dataclass(frozen=True)
class ImportForm:
    raw: bytes
    convention_id: int | None
    keep_placements: bool
    timezone: str | None


def parse_import_form() -> ImportForm:
    """The uploaded file and the options; 400 without a file, 422 for a bad option."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Malformed("Send the schedule file as the multipart field 'file'.", fields={"file": "missing"})
    values = {name: request.form[name].strip() for name in ("convention_id", "timezone")
              if request.form.get(name, "").strip()}
    values["keep_placements"] = request.form.get("keep_placements", "").lower() in ("1", "true", "on", "yes")
    try:
        fields = ImportFieldsIn.model_validate(values, strict=False)
    except ValidationError as error:
        raise ValidationFailed("Some fields are invalid.", fields=validation_errors(error)) from None
    return ImportForm(upload.read(), fields.convention_id, fields.keep_placements, fields.timezone)
