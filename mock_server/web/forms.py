"""The Analytics pages' filters as WTForms forms, and the Reporter API request body they stand for.

A page's filters become exactly the body ``POST /api/v1/async/reporter/reports/sessions`` (or ``clients``) takes,
so the list on the page, the "Session log" export and an API client with the same filters see the same
sessions: the report service checks and reads the one body. Times are typed in the user's profile zone, sent
without an offset, which the report filters read in that zone (as the platform's date pickers do).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; stubs lag
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from generators.channels import CHANNELS_BY_ID
from generators.sessions import channel_names
from mock_server.config import AccountConfig
from mock_server.reports.models import NO, YES, FileType

MINUTE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
"""What a ``datetime-local`` input sends and shows (the first is how a value is written back)."""
DEFAULT_DAYS = 7
MAX_TEXT = 200
MAX_PAGE = 1_000_000


class CheckboxesField(SelectMultipleField):
    """Options as a list of checkboxes, as the platform's filter drop-downs show them."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReportFiltersForm(Form):
    """The filters both Analytics pages have."""

    start = DateTimeLocalField("Session start from", format=MINUTE_FORMATS, validators=[Optional()])
    end = DateTimeLocalField("to", format=MINUTE_FORMATS, validators=[Optional()])
    project = SelectField("Project", choices=[SelectChoice("", "All projects")], default="")
    channel = CheckboxesField("Channel type", choices=[])
    bot = CheckboxesField("Channel ID", choices=[])
    client = StringField("Client ID or name", validators=[Length(max=MAX_TEXT)])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])


class DialogsForm(ReportFiltersForm):
    """Analytics → Dialogs adds the session's own filters."""

    label = StringField("Session labels", description="comma-separated", validators=[Length(max=MAX_TEXT)])
    transfer = SelectField("Transfer to an agent", default="",
                           choices=[SelectChoice("", "Any"), SelectChoice(YES, "Yes"), SelectChoice(NO, "No")])
    text = StringField("Message text contains", validators=[Length(max=MAX_TEXT)])
    hide_empty = BooleanField("Hide empty sessions")
    session = HiddenField()


class ExportForm(Form):
    file_type = SelectField("File", choices=[SelectChoice(kind.value) for kind in FileType], default=FileType.XLSX)


def filters_form(form_class: type[ReportFiltersForm], data: MultiDict, account: AccountConfig, now: datetime,
                 zone: tzinfo) -> ReportFiltersForm:
    """The form over ``data`` (a query string or a posted form) with the account's options; with no data at all,
    the platform's default period: the last ``DEFAULT_DAYS`` days up to the current minute."""
    local_now = now.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    defaults = {"start": local_now.replace(hour=0, minute=0) - timedelta(days=DEFAULT_DAYS - 1), "end": local_now}
    form = form_class(data, data=defaults if not data else None)
    spec = account.spec()
    channels = dict.fromkeys(channel for project in spec.projects for channel in project.channels)
    form.channel.choices = [SelectChoice(channel, CHANNELS_BY_ID[channel].display_name) for channel in channels]
    form.bot.choices = [SelectChoice(name) for name in dict.fromkeys(channel_names(spec))]
    form.project.choices = [SelectChoice("", "All projects"), *(SelectChoice(item.name) for item in spec.projects)]
    return form


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _period(form: Any) -> dict | None:
    if form.start.data is None and form.end.data is None:
        return None
    return {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": _iso(form.start.data),
            "to": _iso(form.end.data)}


def _options(key: str, name: str, split: bool = False) -> Callable[[Any], dict | None]:
    def build(form: Any) -> dict | None:
        data = getattr(form, name).data
        options = [part.strip() for part in (data or "").split(",") if part.strip()] if split else list(data or ())
        return {"key": key, "type": "CHECKBOX", "options": options} if options else None
    return build


def _text(key: str, name: str) -> Callable[[Any], dict | None]:
    def build(form: Any) -> dict | None:
        value = (getattr(form, name).data or "").strip()
        return {"key": key, "type": "TEXT", "value": value} if value else None
    return build


def _transfer(form: Any) -> dict | None:
    option = form.transfer.data
    return {"key": "TRANSFER_TO_OPERATOR", "type": "RADIO", "option": option} if option else None


def _hide_empty(form: Any) -> dict | None:
    return {"key": "WITHOUT_EMPTY_SESSIONS", "type": "RADIO", "option": YES} if form.hide_empty.data else None


FILTERS: dict[str, Callable[[Any], dict | None]] = {
    "start": _period, "channel": _options("CHANNEL_TYPE", "channel"), "bot": _options("BOT_ID", "bot"),
    "client": _text("CLIENT_ID_OR_NAME", "client"), "label": _options("SESSION_LABELS", "label", split=True),
    "transfer": _transfer, "text": _text("MESSAGE_TEXT", "text"), "hide_empty": _hide_empty}
"""A form field and the report filter it makes (a form has some of them)."""


def request_body(form: ReportFiltersForm, file_type: str = FileType.XLSX.value) -> dict[str, Any]:
    """The Reporter API body for the form's filters."""
    filters = [made for name, build in FILTERS.items() if name in form._fields and (made := build(form))]
    return {"filters": filters, "settings": {"fileType": file_type}}


def _argument(field: Any) -> Any:
    """A field's value as a query argument: times as the input writes them, a switch as ``y``."""
    if isinstance(field, DateTimeLocalField):
        return field.data.strftime(MINUTE_FORMATS[0]) if field.data else None
    if isinstance(field, BooleanField):
        return "y" if field.data else None
    return field.data


def link_args(form: ReportFiltersForm, **changes: Any) -> dict[str, Any]:
    """The form's values as query arguments (pager and session links, the export form), with ``changes``."""
    args = {name: _argument(field) for name, field in form._fields.items() if name not in ("page", "session")}
    args.update(changes)
    return {name: value for name, value in args.items() if value}
