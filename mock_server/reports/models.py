"""The Reporter API's contract as pydantic v2 models: requests, tasks, async events.

JSON names are the platform's camelCase (``fileType``, ``writeCount``); Python attributes are snake_case.
Bad input raises a ``ValidationError`` whose custom error types (``bad_delimiter``, ``unknown_filter_key`` ...)
:func:`problem_of` turns into the error envelope's code, message and args (codes in ``reports/errors.py``).

Filter shapes (``key`` names the column, ``type`` the shape; each key takes one type, see ``KEY_SPECS``)::

    {"key": "CLIENT_ID_OR_NAME", "type": "TEXT", "value": "john"}
    {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-01T00:00:00Z", "to": null}
    {"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": 2, "to": 10}
    {"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["telegram", "chatwidget"]}
    {"key": "TRANSFER_TO_OPERATOR", "type": "RADIO", "option": "YES"}
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from generators.channels import CHANNEL_IDS
from mock_server.reports.errors import Problem
from mock_server.reports.javadate import PatternError, compile_pattern

DEFAULT_DATE_TIME_FORMAT = "yyyy-MM-dd HH:mm:ss.SSS"
YES, NO = "YES", "NO"
M = TypeVar("M", bound=BaseModel)


class FileType(enum.StrEnum):
    XLSX = "XLSX"
    CSV = "CSV"


class ReportType(enum.StrEnum):
    SESSIONS = "SESSIONS"
    MESSAGES = "MESSAGES"
    CLIENTS = "CLIENTS"
    DAILY = "DAILY"


class TaskStatus(enum.StrEnum):
    CREATED = "CREATED"
    STARTED = "STARTED"
    STOPPED = "STOPPED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    DELETED = "DELETED"


class FilterType(enum.StrEnum):
    TEXT = "TEXT"
    DATE_TIME_RANGE = "DATE_TIME_RANGE"
    NUMERIC_RANGE = "NUMERIC_RANGE"
    CHECKBOX = "CHECKBOX"
    RADIO = "RADIO"


class FilterKey(enum.StrEnum):
    SESSION_START_TIME = "SESSION_START_TIME"
    SESSION_END_TIME = "SESSION_END_TIME"
    MESSAGE_TIME = "MESSAGE_TIME"
    CHANNEL_TYPE = "CHANNEL_TYPE"
    BOT_ID = "BOT_ID"
    CLIENT_ID_OR_NAME = "CLIENT_ID_OR_NAME"
    SESSION_ID = "SESSION_ID"
    SESSION_LABELS = "SESSION_LABELS"
    SESSION_RESULT = "SESSION_RESULT"
    TRANSFER_TO_OPERATOR = "TRANSFER_TO_OPERATOR"
    MESSAGE_TEXT = "MESSAGE_TEXT"
    ANSWER_TEXT = "ANSWER_TEXT"
    MESSAGE_COUNT = "MESSAGE_COUNT"
    WITHOUT_EMPTY_SESSIONS = "WITHOUT_EMPTY_SESSIONS"
    WITHOUT_EMPTY_MESSAGES = "WITHOUT_EMPTY_MESSAGES"


class SessionResult(enum.StrEnum):
    """The report's Session result column: derived from what happened in the session (see content.py)."""

    TRANSFERRED = "Transferred to an agent"
    NO_PHRASES = "No client phrases"
    BOT_ANSWERED = "Answered by the bot"


@dataclass(frozen=True, slots=True)
class KeySpec:
    type: FilterType
    options: tuple[str, ...] | None = None
    """The accepted options of a CHECKBOX or RADIO key; None: any text (labels, bot ids)."""


YES_NO = (YES, NO)
KEY_SPECS: dict[FilterKey, KeySpec] = {
    FilterKey.SESSION_START_TIME: KeySpec(FilterType.DATE_TIME_RANGE),
    FilterKey.SESSION_END_TIME: KeySpec(FilterType.DATE_TIME_RANGE),
    FilterKey.MESSAGE_TIME: KeySpec(FilterType.DATE_TIME_RANGE),
    FilterKey.CHANNEL_TYPE: KeySpec(FilterType.CHECKBOX, CHANNEL_IDS),
    FilterKey.BOT_ID: KeySpec(FilterType.CHECKBOX),
    FilterKey.CLIENT_ID_OR_NAME: KeySpec(FilterType.TEXT),
    FilterKey.SESSION_ID: KeySpec(FilterType.TEXT),
    FilterKey.SESSION_LABELS: KeySpec(FilterType.CHECKBOX),
    FilterKey.SESSION_RESULT: KeySpec(FilterType.CHECKBOX, tuple(SessionResult)),
    FilterKey.TRANSFER_TO_OPERATOR: KeySpec(FilterType.RADIO, YES_NO),
    FilterKey.MESSAGE_TEXT: KeySpec(FilterType.TEXT),
    FilterKey.ANSWER_TEXT: KeySpec(FilterType.TEXT),
    FilterKey.MESSAGE_COUNT: KeySpec(FilterType.NUMERIC_RANGE),
    FilterKey.WITHOUT_EMPTY_SESSIONS: KeySpec(FilterType.RADIO, YES_NO),
    FilterKey.WITHOUT_EMPTY_MESSAGES: KeySpec(FilterType.RADIO, YES_NO),
}


def _accepted(values: Iterable[object]) -> str:
    return ", ".join(str(value) for value in values)


def _member(values: type[enum.StrEnum], value: object, error_type: str) -> object:
    """``value`` if it names a member; else the custom error that lists every member."""
    if value not in tuple(values):
        raise PydanticCustomError(error_type, error_type.replace("_", " "),
                                  {"value": str(value), "accepted": _accepted(values)})
    return value


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The platform's JSON shape: camelCase names, ISO date-times, enums as their names."""
        return self.model_dump(mode="json", by_alias=True)


class ReportSettings(ApiModel):
    file_type: FileType
    with_header: bool = True
    delimiter: str = ","
    date_time_format: str = DEFAULT_DATE_TIME_FORMAT

    @field_validator("file_type", mode="before")
    @classmethod
    def _known_file_type(cls, value: object) -> object:
        return _member(FileType, value, "unknown_file_type")

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1 or value in '"\r\n':
            raise PydanticCustomError("bad_delimiter", "bad delimiter", {"value": value})
        return value

    @field_validator("date_time_format")
    @classmethod
    def _java_pattern(cls, value: str) -> str:
        try:
            compile_pattern(value)
        except PatternError as error:
            raise PydanticCustomError("bad_date_pattern", "bad pattern", {"value": value, "reason": str(error)}) \
                from None
        return value


class _Filter(ApiModel):
    key: FilterKey

    @field_validator("key", mode="before")
    @classmethod
    def _known_key(cls, value: object) -> object:
        return _member(FilterKey, value, "unknown_filter_key")

    @model_validator(mode="after")
    def _key_takes_this_type(self) -> _Filter:
        spec = KEY_SPECS[self.key]
        kind = self.type  # type: ignore[attr-defined]
        if spec.type != kind:
            raise PydanticCustomError("filter_type_mismatch", "wrong type",
                                      {"key": self.key.value, "expected": spec.type.value, "value": kind})
        unknown = [option for option in self.chosen() if spec.options is not None and option not in spec.options]
        if unknown:
            raise PydanticCustomError("bad_filter_option", "bad option", {
                "key": self.key.value, "value": unknown[0], "accepted": _accepted(spec.options or ())})
        return self

    def chosen(self) -> tuple[str, ...]:
        """The options this filter picked (CHECKBOX, RADIO); none for the other shapes."""
        return ()


class TextFilter(_Filter):
    """Keeps what contains ``value``, ignoring case."""

    type: Literal["TEXT"]
    value: str = Field(min_length=1)


def _range_error(key: FilterKey, low: object, high: object, relation: str) -> PydanticCustomError:
    return PydanticCustomError("bad_range", "bad range",
                               {"key": key.value, "from": str(low), "to": str(high), "relation": relation})


class DateTimeRangeFilter(_Filter):
    """``from`` inclusive, ``to`` exclusive; either may be null (open). A time without an offset is read in the
    user's time zone, as the UI's date pickers mean it."""

    type: Literal["DATE_TIME_RANGE"]
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DateTimeRangeFilter:
        if self.from_ is None and self.to is None:
            raise PydanticCustomError("open_range", "no bounds", {"key": self.key.value})
        if self.from_ is not None and self.to is not None:
            aware = (self.from_.tzinfo is None) == (self.to.tzinfo is None)
            if aware and self.from_ >= self.to:
                raise _range_error(self.key, self.from_.isoformat(), self.to.isoformat(), "before")
        return self


class NumericRangeFilter(_Filter):
    """``from`` and ``to`` both inclusive; either may be null (open)."""

    type: Literal["NUMERIC_RANGE"]
    from_: int | None = Field(default=None, alias="from", ge=0)
    to: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> NumericRangeFilter:
        if self.from_ is None and self.to is None:
            raise PydanticCustomError("open_range", "no bounds", {"key": self.key.value})
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise _range_error(self.key, self.from_, self.to, "at most")
        return self


class CheckboxFilter(_Filter):
    """Keeps what has one of ``options``."""

    type: Literal["CHECKBOX"]
    options: tuple[str, ...] = Field(min_length=1)

    def chosen(self) -> tuple[str, ...]:
        return self.options


class RadioFilter(_Filter):
    """One ``option``: YES or NO for the yes/no keys."""

    type: Literal["RADIO"]
    option: str

    def chosen(self) -> tuple[str, ...]:
        return (self.option,)


ReportFilter = Annotated[TextFilter | DateTimeRangeFilter | NumericRangeFilter | CheckboxFilter | RadioFilter,
                         Field(discriminator="type")]
FILTER_MODELS: dict[str, type[_Filter]] = {
    "TEXT": TextFilter, "DATE_TIME_RANGE": DateTimeRangeFilter, "NUMERIC_RANGE": NumericRangeFilter,
    "CHECKBOX": CheckboxFilter, "RADIO": RadioFilter}


class CreateReportDto(ApiModel):
    filters: tuple[ReportFilter, ...] = ()
    settings: ReportSettings


class DailyReportDto(ApiModel):
    date: date
    settings: ReportSettings


class AsyncTaskDto(ApiModel):
    request_id: str
    request_time: datetime


class ReportGenerationTaskDto(ApiModel):
    task_id: str
    account_id: int
    creation_time: datetime
    status: TaskStatus
    report_type: ReportType
    settings: ReportSettings
    project_short_name: str | None = None
    write_count: int
    total_count: int
    file_url: str | None = None
    file_name: str | None = None


class ReportTasksDto(ApiModel):
    tasks: tuple[ReportGenerationTaskDto, ...]


class ErrorEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    error: str
    message: str
    args: dict[str, Any]


class AsyncEvent(ApiModel):
    """One answer of the async events long poll: the task on success, the error envelope on failure."""

    is_ok: bool
    request_id: str
    request_time: datetime
    response_time: datetime | None = None
    payload: ReportGenerationTaskDto | None = None
    error: ErrorEnvelope | None = None


class AsyncEventsDto(ApiModel):
    response: tuple[AsyncEvent, ...]


# ----------------------------------------------------------------------------------------------------------------
# Validation errors -> envelope pieces

_CUSTOM_CODES = {
    "unknown_file_type": "reports.unknown_file_type",
    "unknown_filter_key": "reports.unknown_filter_key",
    "filter_type_mismatch": "reports.filter_type_mismatch",
    "bad_filter_option": "reports.bad_filter_option",
    "bad_range": "reports.bad_range",
    "open_range": "reports.open_range",
    "bad_delimiter": "reports.bad_delimiter",
    "bad_date_pattern": "reports.bad_date_pattern",
}


def _field_path(loc: tuple[int | str, ...]) -> str:
    """``('filters', 0, 'TEXT', 'value')`` -> ``filters[0].value`` (the union's tag is not a JSON name)."""
    text = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not ((previous is None or isinstance(previous, int)) and part in FILTER_MODELS):
            text += f".{part}" if text else part
        previous = part
    return text or "(body)"


def _accepted_fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The JSON names accepted where an unknown field was found."""
    current: type[BaseModel] = model
    for part in loc[:-1]:
        if isinstance(part, str) and part in FILTER_MODELS:
            current = FILTER_MODELS[part]
        elif isinstance(part, str):
            name = next((name for name, info in current.model_fields.items() if (info.alias or name) == part), None)
            annotation = current.model_fields[name].annotation if name else None
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                current = annotation
    return ", ".join(info.alias or name for name, info in current.model_fields.items())


def problem_of(error: ValidationError, model: type[BaseModel]) -> Problem:
    """The first error of a failed ``model.model_validate`` as the envelope's code and args."""
    first = error.errors(include_url=False)[0]
    loc, kind, context = tuple(first["loc"]), first["type"], dict(first.get("ctx") or {})
    field = _field_path(loc)
    if kind in _CUSTOM_CODES:
        return Problem(_CUSTOM_CODES[kind], {"field": field, **{key: str(value) for key, value in context.items()}})
    if kind in ("model_type", "model_attributes_type") and not loc:
        return Problem("reports.bad_json", {})
    if kind == "missing":
        return Problem("reports.missing_field", {"field": field})
    if kind == "union_tag_not_found":
        return Problem("reports.missing_field", {"field": f"{field}.type"})
    if kind == "union_tag_invalid":
        return Problem("reports.unknown_filter_type", {"field": f"{field}.type", "value": str(context.get("tag")),
                                                       "accepted": _accepted(FilterType)})
    if kind == "extra_forbidden":
        return Problem("reports.unknown_field", {"field": field, "accepted": _accepted_fields(model, loc)})
    return Problem("reports.bad_field", {"field": field, "reason": first["msg"]})


class RequestError(ValueError):
    """A request body that does not fit its model; ``problem`` is the envelope to answer with."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def parse_request(model: type[M], data: object) -> M:
    """Validate a decoded JSON body; RequestError with the envelope's pieces when it does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestError(problem_of(error, model)) from None
