"""Analytics → Dialogs and Analytics → Clients: filters, a paged list, and the export button.

Both pages are one view over a table of :class:`ListPage` rows: the form, the report type it lists and exports,
the template. The list is the report service's (``state.reports.lists``); the export is the report task an API
client would create with the same body.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import Form

from mock_server.context import current_state, request_info
from mock_server.reports.browse import Listing
from mock_server.reports.models import ReportType
from mock_server.reports.service import ReportError
from mock_server.urls import UI_PREFIX
from mock_server.web.forms import DialogsForm, ExportForm, ReportFiltersForm, filters_form, link_args, request_body
from mock_server.web.security import ui_blueprint
from mock_server.web.session import page_user, request_moment

blueprint = ui_blueprint("analytics", __name__, f"{UI_PREFIX}/analytics")
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ListPage:
    form: type[ReportFiltersForm]
    report: ReportType
    template: str
    export_label: str


PAGES = {"dialogs": ListPage(DialogsForm, ReportType.SESSIONS, "web/dialogs.html", "Session log"),
         "clients": ListPage(ReportFiltersForm, ReportType.CLIENTS, "web/clients.html", "Clients report")}


def _form(kind: str, data: MultiDict) -> ReportFiltersForm:
    account = current_state().config_of(g.user.account_id)
    return filters_form(PAGES[kind].form, data, account, request_moment()[1], g.zone)


def _errors(*forms: Form) -> str:
    return "; ".join(f"{field.label.text}: {field.errors[0]}" for form in forms for field in form if field.errors)


def _listing(kind: str, form: ReportFiltersForm) -> tuple[Listing | None, str | None]:
    """The page of the list the filters make, or why the report service refuses them."""
    snapshot, now = request_moment()
    try:
        listing = current_state().reports.lists.page(g.user, snapshot, now, PAGES[kind].report, request_body(form),
                                                     g.zone, form.page.data or 1, PAGE_SIZE, form.project.data or None)
    except ReportError as refusal:
        request_info().error = refusal.problem.code
        return None, refusal.problem.message
    return listing, None


def list_page(kind: str) -> tuple[str, int]:
    form = _form(kind, request.args)
    listing, refusal = _listing(kind, form) if form.validate() else (None, None)
    selected = messages = None
    session_field = form._fields.get("session")
    if listing is not None and session_field is not None and session_field.data:
        reports = current_state().reports
        selected = reports.lists.session(listing.query, session_field.data)
        if selected is not None:
            messages = reports.session_messages(g.user.account_id, *request_moment(), selected, g.zone)
    status = 400 if form.errors or refusal else 200
    if status == 400 and request_info().error is None:
        request_info().error = "web.bad_filter"
    return render_template(PAGES[kind].template, kind=kind, page=PAGES[kind], form=form, listing=listing,
                           refusal=refusal, selected=selected, messages=messages, export=ExportForm(),
                           link_args=link_args), status


def export(kind: str) -> Response:
    """The export button: a report task with the page's filters, then the task list (or back, with the reason)."""
    form, choice = _form(kind, request.form), ExportForm(request.form)
    back = url_for(f"analytics.{kind}", **link_args(form))
    if not (form.validate() and choice.validate()):
        flash(f"The filters are not valid: {_errors(form, choice)}", "error")
        return redirect(back)
    try:
        task = current_state().reports.create(g.user, *request_moment(), PAGES[kind].report,
                                              request_body(form, choice.file_type.data), g.zone,
                                              form.project.data or None)
    except ReportError as refusal:
        request_info().error = refusal.problem.code
        flash(refusal.problem.message, "error")
        return redirect(back)
    flash(f"{PAGES[kind].export_label}: the export started; it shows here as it progresses.", "notice")
    return redirect(url_for("tasks.tasks", created=task.task_id))


for _kind in PAGES:
    blueprint.add_url_rule(f"/{_kind}", _kind, page_user(list_page), defaults={"kind": _kind})
    blueprint.add_url_rule(f"/{_kind}/export", f"export_{_kind}", page_user(export), methods=["POST"],
                           defaults={"kind": _kind})
