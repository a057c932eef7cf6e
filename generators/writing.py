"""A burst's rows from its script: the session's facts filled in, the client's words composed, labels chosen.

A session's client (names, ids, own values) comes first from an RNG seeded with the client's seed, so a
returning client is the same person; the rest from the session's RNG. The bot's replies are the scenario's
texts as written; the client's phrases are composed for a long tail (``generators.phrasing``): greetings only
when a burst opens, typos, dropped punctuation, long complaints, speech-recognition noise on the phone line.
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING, NamedTuple

from generators import provider
from generators.model import AccountSpec
from generators.phrasing import client_text, offtopic
from generators.schema import FALSE, TRUE
from generators.script import (
    AGENT,
    FINISHED,
    GOODBYE,
    GREETING,
    HANGUP,
    MISS,
    NO_OPERATORS,
    OFFTOPIC,
    START,
    STEP,
    SWITCH,
    WAITING,
    Script,
    Turn,
)
from generators.text import Facts

if TYPE_CHECKING:
    from generators.sessions import DayPlan, Route

Row = tuple[str, ...]
START_EVENT = "/start"
HANGUP_EVENT = "hangup"
LIVECHAT_FINISHED_EVENT = "livechatFinished"
ROOT_STATE = "/"

TAG_SHARE = 0.3                 # goal rows with the goal's phrase label
GOAL_COMMENT_SHARE = 0.04       # goal rows with the goal's analyst comment
MISS_COMMENT_SHARE = 0.2        # misheard rows with an analyst's comment
ASR_COMMENT_SHARE = 0.25        # phone rows with recognition noise that an analyst marked
LABEL_SHARE = 0.35              # sessions with a session label
TRANSFERRED_LABEL_SHARE = 0.6   # ... of those an agent joined


class Client(NamedTuple):
    """Who writes in: drawn first from an RNG seeded with the client's seed, so every session of theirs
    draws the same person."""

    female: bool
    first_name: str
    last_name: str
    user: str
    """The id inside the channel (a phone number on phone-based channels)."""
    client_id: str
    client_name: str


def draw_client(own: Random, route: Route) -> Client:
    """The client's own values, the first draws of ``own``."""
    channel = route.channel
    pools = route.pools
    female = own.random() < 0.5
    first_name = pools.first_name(own, female)
    last_name = pools.last_name(own, female)
    user = provider.user_id(own, channel.id, pools.locale)
    return Client(female, first_name, last_name, user, provider.client_id(channel.id, route.bot_id, user),
                  pools.display_name(own, channel.id, female, first_name, last_name))


class Session:
    """One session's client, agent and facts, kept across its bursts."""

    def __init__(self, account: AccountSpec, route: Route, client: Client, client_seed: int, rng: Random, *,
                 session_seed: int, continuing: bool) -> None:
        scenario = route.scenario
        channel = route.channel
        self.route = route
        self.female = client.female
        self.client = client.client_id
        self.client_name = client.client_name
        self.session_id = provider.session_id(rng, self.client, account.session_id_style)
        self.agent_female = rng.random() < 0.5
        self.voice = channel.voice
        self.locale = scenario.locale
        self.facts = Facts(scenario, rng, client_seed, female=self.female, agent_female=self.agent_female,
                           utc_offset=account.utc_offset, session_seed=session_seed)
        facts = self.facts
        facts["first_name"] = client.first_name
        facts["last_name"] = client.last_name
        facts["company"] = route.company
        facts["agent_name"] = route.pools.first_name(rng, self.agent_female)
        if channel.user_id_shape.startswith("phone"):  # the number the client writes or calls from
            facts.own_phone = client.user
        facts.name_known = bool(self.client_name)  # a caller or a nameless web visitor is not called by name
        self.state = ROOT_STATE
        self.continuing = continuing
        """The session goes on over several days: it carries no label (one file's label would not hold for
        the others)."""


def skip_burst(session: Session, script: Script) -> None:
    """A burst of an earlier day, for its effect alone: the state the session was left in. (Its values need
    no replay: each is drawn from its own seed.)"""
    state = session.state
    for turn in script.turns:
        state = turn.state or state
    session.state = state


def render_burst(session: Session, plan: DayPlan, rng: Random, script: Script, *, started: int,
                 phrases_before: int) -> list[tuple[int, Row]]:
    """The rows of one burst on ``plan``'s day; moves the session's state on."""
    route = session.route
    facts = session.facts
    times = script.times
    facts.new_burst(rng, plan.local_day(times[0]))
    tag = _label(session, rng, script)
    head = (session.session_id, plan.format_time(started), plan.format_time(times[-1]),
            str(phrases_before + len(script.turns)), tag, route.channel_label, route.channel_name, session.client,
            session.client_name, route.project.name)
    writer = _Writer(session, rng)
    stamps = plan.stamps
    state = session.state
    rows: list[tuple[int, Row]] = []
    for turn in script.turns:
        facts.moment = turn.moment
        question, answer, after, switched, operated, comment, tags = _KINDS[turn.kind](writer, turn)
        after = after or state
        if turn.moment < 86400:
            rows.append((turn.moment, (*head, stamps[turn.moment], question, answer, state, after,
                                       switched, operated, comment, tags)))
        state = after
    session.state = state
    return rows


def _label(session: Session, rng: Random, script: Script) -> str:
    """The session label: what happened in it, on a share of the sessions."""
    kind = script.outcome
    if not kind or session.continuing:
        return ""
    share = TRANSFERRED_LABEL_SHARE if kind in ("transferred", "satisfied", "unsatisfied") else LABEL_SHARE
    if rng.random() >= share:
        return ""
    goal = script.goal
    if kind == "done" and goal is not None and goal.label and rng.random() < 0.6:
        return goal.label
    labels = getattr(session.route.scenario.labels, kind)
    return labels[int(rng.random() * len(labels))] if labels else ""


Cells = tuple[str, str, str, str, str, str, str]
"""question, answer, state_after ("" keeps it), switched, operated, comment, tags."""


class _Writer:
    """Turns a script's turns into row cells for one burst."""

    def __init__(self, session: Session, rng: Random) -> None:
        self.session = session
        self.rng = rng
        self.facts = session.facts
        self.scenario = session.route.scenario
        self.voice = session.voice
        self.locale = session.locale

    def client(self, turn: Turn) -> tuple[str, bool]:
        """The client's words for a turn, and whether speech recognition garbled them."""
        say = turn.say
        if say is not None and say.nameless is not None:  # the client gives their name
            self.facts.name_known = True
        text = self.facts.fill(say, self.session.female) if say is not None else ""
        return client_text(self.rng, text, self.locale, self.voice, turn.mode)

    def bot(self, turn: Turn) -> str:
        return self.facts.fill(turn.reply, self.session.female) if turn.reply is not None else ""

    def comment(self, noisy: bool, options: tuple[str, ...], share: float) -> str:
        rng = self.rng
        if noisy and rng.random() < ASR_COMMENT_SHARE:
            asr = self.scenario.comments.asr
            return asr[int(rng.random() * len(asr))]
        if options and rng.random() < share:
            return options[int(rng.random() * len(options))]
        return ""

    def start(self, turn: Turn) -> Cells:
        return START_EVENT, self.bot(turn), turn.state, FALSE, FALSE, "", ""

    def step(self, turn: Turn) -> Cells:
        question, noisy = self.client(turn)
        goal = turn.goal
        tags = goal.tag if goal is not None and self.rng.random() < TAG_SHARE else ""
        comment = self.comment(noisy, (goal.comment,) if goal is not None else (), GOAL_COMMENT_SHARE)
        return question, self.bot(turn), turn.state, FALSE, FALSE, comment, tags

    def miss(self, turn: Turn) -> Cells:
        question, noisy = self.client(turn)
        comments = self.scenario.comments
        kind = comments.fallback if turn.state == self.scenario.fallback.state else comments.general
        return question, self.bot(turn), turn.state, FALSE, FALSE, self.comment(noisy, kind, MISS_COMMENT_SHARE), ""

    def offtopic(self, turn: Turn) -> Cells:
        if turn.say is not None:
            question, noisy = self.client(turn)
        else:
            question = offtopic(self.rng, self.locale, self.voice, bool(turn.mode & GREETING))
            noisy = False
        comment = self.comment(noisy, self.scenario.comments.fallback, MISS_COMMENT_SHARE)
        return question, self.bot(turn), turn.state, FALSE, FALSE, comment, ""

    def switch(self, turn: Turn) -> Cells:
        question, noisy = self.client(turn)
        return question, self.bot(turn), turn.state, TRUE, FALSE, self.comment(noisy, (), 0.0), ""

    def no_operators(self, turn: Turn) -> Cells:
        question, noisy = self.client(turn)
        return question, self.bot(turn), turn.state, FALSE, FALSE, self.comment(noisy, (), 0.0), ""

    def waiting(self, turn: Turn) -> Cells:
        question, _ = self.client(turn)  # queued for an agent: nobody answers it yet
        return question, "", "", FALSE, FALSE, "", ""

    def agent(self, turn: Turn) -> Cells:
        question, _ = self.client(turn)
        answer = self.facts.fill(turn.reply, self.session.agent_female) if turn.reply is not None else ""
        return question, answer, "", FALSE, TRUE, "", ""

    def finished(self, turn: Turn) -> Cells:
        return LIVECHAT_FINISHED_EVENT, self.bot(turn), turn.state, FALSE, FALSE, "", ""

    def goodbye(self, turn: Turn) -> Cells:
        question, noisy = self.client(turn)
        return question, self.bot(turn), turn.state, FALSE, FALSE, self.comment(noisy, (), 0.0), ""

    def hangup(self, turn: Turn) -> Cells:
        return HANGUP_EVENT, "", turn.state, FALSE, FALSE, "", ""


_KINDS: dict[int, Callable[[_Writer, Turn], Cells]] = {
    START: _Writer.start, STEP: _Writer.step, MISS: _Writer.miss, OFFTOPIC: _Writer.offtopic,
    SWITCH: _Writer.switch, NO_OPERATORS: _Writer.no_operators, WAITING: _Writer.waiting, AGENT: _Writer.agent,
    FINISHED: _Writer.finished, GOODBYE: _Writer.goodbye, HANGUP: _Writer.hangup,
}
