"""Logging in to the platform's pages with a configured user's login and password, and logging out."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from mock_server.context import current_state, request_info
from mock_server.errors import render_message
from mock_server.urls import UI_PREFIX
from mock_server.web.security import ui_blueprint
from mock_server.web.session import current_user, log_in, log_out, safe_next

blueprint = ui_blueprint("login", __name__, UI_PREFIX)
LANDING = "analytics.dialogs"
"""Where a user lands after logging in, unless a page sent them to log in."""


class LoginForm(FlaskForm):
    login = StringField("Login", validators=[InputRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1000)])


def _landing() -> str:
    return safe_next(request.args.get("next")) or url_for(LANDING)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | tuple[str, int]:
    """The form; a wrong login or password, or a user without the analytics permission, re-renders it."""
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("web/login.html", form=form, refusal=None, user=current_user()), status
    state = current_state()
    user = state.authenticate(form.login.data or "", form.password.data or "")
    if user is None:
        return render_template("web/login.html", form=form, refusal="Wrong login or password.", user=None), 401
    if not user.may_report:
        request_info().error = "web.missing_role"
        refusal = render_message("web.missing_role", {"login": user.login})
        return render_template("web/login.html", form=form, refusal=refusal, user=None), 403
    request_info().login = user.login
    log_in(user)
    return redirect(_landing())


@blueprint.post("/logout")
def logout() -> BaseResponse:
    log_out()
    return redirect(url_for("login.login"))


@blueprint.get("/")
def home() -> Response | BaseResponse:
    return redirect(url_for(LANDING) if current_user() is not None else url_for("login.login"))
