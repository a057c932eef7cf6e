"""Coherent sessions, merged into one day's rows in log order.

A day is a list of sessions. Session ``i`` draws everything from its own ``random.Random``, seeded from
(seed, account, day, i) by a stable hash, so any session, and so any time window of the day, can be
generated alone, in any process, with identical output. Late-arriving sessions of regenerated versions
are seeded from (seed, account, day, version, j), so version n+1 holds every dialog of version n plus a few.

Chat sessions never end by themselves: every LONG_EVERY-th session of a day may come back on some of the
next RETURN_WINDOW days, with a burst of phrases seeded from (seed, account, that day, its origin). The
day's file then holds that burst under the same session id and start time, with the count of every phrase
so far, so a client that reads several days' files sees one session grow.

Each burst is made in two steps from the same RNG: a *script* (the route, the kinds of turn and their
times), then the *texts*. The day's plan needs only the scripts' first and last times, which keeps memory
flat in the number of rows; rows are produced lazily as the merge reaches each session.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random

from generators import provider
from generators.channels import CHANNELS_BY_ID, Channel
from generators.model import AccountSpec, ProjectSpec, stable_int
from generators.pools import LocalePools, load_pools
from generators.scenarios import Scenario, load_scenario
from generators.schema import FALSE, TRUE
from generators.text import Filler, spoken

Row = tuple[str, ...]
DAY_SECONDS = 86400
GENERATION_GRACE = 60
"""The file is written at 00:01: phrases in that first minute of the next day are known and counted."""

# Relative traffic by local hour, chat and phone; weekends scale the whole day (AccountSpec.weekend_factor).
HOURLY_CHAT = (1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.2, 2.4, 4.2, 5.8, 6.6, 6.8, 6.4, 6.5, 6.6, 6.4, 6.1, 5.9,
               5.6, 5.5, 5.3, 4.6, 3.4, 2.1)
HOURLY_VOICE = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 2.0, 5.0, 7.5, 8.0, 8.0, 7.2, 7.4, 7.6, 7.2, 6.8, 6.0,
                4.4, 3.0, 2.0, 1.2, 0.6, 0.3)

# Session dynamics, as probabilities.
LONG_EVERY = 12                 # every 12th session of a day may come back on later days (chat only)
RETURN_WINDOW = 7               # ... within this many days
SECOND_RETURN_SHARE = 0.35      # returning sessions that come back on two days rather than one
FALLBACK_SHARE = 0.10           # client turns the bot does not understand
OPERATOR_REQUEST_SHARE = 0.035  # client turns that ask for a human
OPERATORS_ONLINE = 0.7          # operator requests that find an agent
FOLLOW_UP_SHARE = 0.45          # intents that follow the previous intent's `next`
BUTTON_SHARE = 0.2              # intent turns made by tapping a button
TAG_SHARE = 0.3                 # intent rows with a phrase label
COMMENT_SHARE = 0.05            # rows with an analyst's comment
SESSION_LABEL_SHARE = 0.15      # sessions with a session label (transferred ones: TRANSFERRED_LABEL_SHARE)
TRANSFERRED_LABEL_SHARE = 0.5
NAMELESS_WEB_SHARE = 0.4        # web-widget clients that never gave a name

START_EVENT = "/start"
HANGUP_EVENT = "hangup"
HANGUP_STATE = "/Hangup"
LIVECHAT_FINISHED_EVENT = "livechatFinished"
ROOT_STATE = "/"

# Kinds of turn in a script.
START, INTENT, FALLBACK, SWITCH, NO_OPERATORS, AGENT, FINISHED, GOODBYE, HANGUP = range(9)


def _cumulative(weights: tuple[float, ...] | list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


_HOURLY_CUMULATIVE = {False: _cumulative(HOURLY_CHAT), True: _cumulative(HOURLY_VOICE)}


@dataclass(frozen=True, slots=True)
class Route:
    """One channel of one project: everything a session in it shares with the others."""

    project: ProjectSpec
    channel: Channel
    scenario: Scenario
    pools: LocalePools
    bot_id: str
    channel_label: str
    channel_name: str
    company: str
    intent_cumulative: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Script:
    """One burst of a session: the kinds of its turns and their times."""

    route: Route
    kinds: tuple[int, ...]
    times: tuple[int, ...]
    """Seconds from the burst day's 00:00 UTC, one per turn; can pass midnight by GENERATION_GRACE."""


def _routes(account: AccountSpec, channel_labels: str) -> tuple[list[Route], list[float]]:
    routes: list[Route] = []
    weights: list[float] = []
    for project in account.projects:
        locale = account.project_locale(project)
        scenario = load_scenario(project.domain, locale)
        short_name = provider.project_short_name(account.account_id, project.name, project.code)
        channel_weight = sum(CHANNELS_BY_ID[channel].weight for channel in project.channels)
        for channel_id in project.channels:
            channel = CHANNELS_BY_ID[channel_id]
            company_pick = stable_int("company", account.account_id, project.name) % len(scenario.companies)
            routes.append(Route(
                project=project,
                channel=channel,
                scenario=scenario,
                pools=load_pools(locale),
                bot_id=provider.bot_id(account.account_id, short_name, channel_id),
                channel_label=channel.display_name if channel_labels == "display" else channel.id,
                channel_name=f"{short_name.split('-')[0]}_{channel_id}",
                company=scenario.companies[company_pick],
                intent_cumulative=tuple(_cumulative([1 / (rank + 1) ** 0.5
                                                     for rank in range(len(scenario.intents))])),
            ))
            weights.append(project.weight * channel.weight / channel_weight)
    return routes, _cumulative(weights)


def _weights(cumulative: list[float]) -> list[float]:
    return [value - previous for previous, value in zip([0.0, *cumulative[:-1]], cumulative, strict=True)]


def _pick(rng: Random, items):
    return items[int(rng.random() * len(items))]


class DayPlan:
    """The sessions of one (account, day, version, seed) and how to make each of them.

    Indices ``0 .. base_sessions - 1`` are the sessions that start today, then the late arrivals of
    regenerated versions, then the sessions of earlier days that come back today (``returning``).
    """

    def __init__(self, account: AccountSpec, day: date, *, version: int = 1, seed: int, channel_labels: str
                 = "display") -> None:
        if version < 1:
            raise ValueError("versions start at 1")
        self.account = account
        self.version = version
        self.seed = seed
        self.channel_labels = channel_labels
        self.routes, self.route_cumulative = _routes(account, channel_labels)
        self.offset_seconds = account.utc_offset * 3600
        self.day = day
        self.day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.day_prefix = self.day_start.strftime("%d.%m.%Y ")
        self.base_sessions = self.sessions_on(day)
        # Late arrivals of each regenerated version w = 2..version: about 2% of the day, at least one.
        self.late_counts = [1 + stable_int(seed, account.account_id, day, "late-count", w)
                            % max(1, self.base_sessions // 50) for w in range(2, version + 1)]
        self._late_starts = list(itertools.accumulate(self.late_counts, initial=self.base_sessions))
        self._returning: list[tuple[date, int]] | None = None
        self._siblings: dict[date, DayPlan] = {}

    def sessions_on(self, day: date) -> int:
        factor = self.account.weekend_factor if day.weekday() >= 5 else 1.0
        return round(self.account.sessions_per_day * factor)

    def _on(self, day: date) -> DayPlan:
        """The plan of another day of the same account, for replaying the sessions that come back today."""
        if day not in self._siblings:
            self._siblings[day] = DayPlan(self.account, day, seed=self.seed, channel_labels=self.channel_labels)
        return self._siblings[day]

    @property
    def new_sessions(self) -> int:
        """Sessions that start today: the base ones and the late arrivals."""
        return self._late_starts[-1]

    @property
    def returning(self) -> list[tuple[date, int]]:
        """(origin day, index) of each earlier session that comes back today."""
        if self._returning is None:
            found = []
            for back in range(RETURN_WINDOW, 0, -1):
                origin = self.day - timedelta(days=back)
                for index in range(0, self.sessions_on(origin), LONG_EVERY):
                    if back in self._return_days(origin, index) and not self._route(origin, index).channel.voice:
                        found.append((origin, index))
            self._returning = found
        return self._returning

    @property
    def session_count(self) -> int:
        return self.new_sessions + len(self.returning)

    def _return_days(self, origin: date, index: int) -> tuple[int, ...]:
        """How many days after ``origin`` session ``index`` of that day comes back.

        Read straight from the bits of one stable hash: every day's plan asks this for a week of candidates,
        so it must be cheaper than seeding a ``Random``.
        """
        bits = stable_int(self.seed, self.account.account_id, origin, "returns", index)
        first = 1 + bits % RETURN_WINDOW
        if (bits >> 8) % 1000 >= SECOND_RETURN_SHARE * 1000:
            return (first,)
        second = 1 + (first + (bits >> 20) % (RETURN_WINDOW - 1)) % RETURN_WINDOW  # any other day of the window
        return tuple(sorted((first, second)))

    def session_rng(self, index: int) -> Random:
        if index < self.base_sessions:
            return self._base_rng(self.day, index)
        slot = bisect.bisect_right(self._late_starts, index) - 1
        return Random(stable_int(self.seed, self.account.account_id, self.day, "late", slot + 2,
                                 index - self._late_starts[slot]))

    def _route(self, origin: date, index: int) -> Route:
        """The route of a base session of ``origin``: the first draw of its RNG."""
        return self._pick_route(self._base_rng(origin, index))

    def _base_rng(self, day: date, index: int) -> Random:
        """The RNG of base session ``index`` of ``day``: the one seed formula every day's plan agrees on."""
        return Random(stable_int(self.seed, self.account.account_id, day, "session", index))

    def _return_rng(self, origin: date, index: int, day: date) -> Random:
        return Random(stable_int(self.seed, self.account.account_id, day, "return", origin, index))

    # -- step 1: the script ------------------------------------------------------------------------------

    def _pick_route(self, rng: Random) -> Route:
        return self.routes[bisect.bisect_right(self.route_cumulative, rng.random() * self.route_cumulative[-1])]

    def script(self, rng: Random, route: Route | None = None) -> Script:
        """A burst: the opening one of a new session (route drawn, ``/start`` first), or with ``route`` given,
        a session's return on a later day."""
        opening = route is None
        if route is None:
            route = self._pick_route(rng)
        voice = route.channel.voice
        hourly = _HOURLY_CUMULATIVE[voice]
        local_hour = bisect.bisect_right(hourly, rng.random() * hourly[-1])
        first = ((local_hour * 3600 - self.offset_seconds) % DAY_SECONDS) + int(rng.random() * 3600)
        first = min(first, DAY_SECONDS - 1)

        kinds: list[int] = [START] if opening else []
        turns = 1 + min(int(rng.expovariate(1 / (3.0 if voice else 4.0))), 24)
        asked_operator = False
        for _ in range(turns):
            draw = rng.random()
            if draw < FALLBACK_SHARE:
                kinds.append(FALLBACK)
            elif draw < FALLBACK_SHARE + OPERATOR_REQUEST_SHARE and not asked_operator:
                asked_operator = True
                if rng.random() < OPERATORS_ONLINE:
                    kinds.append(SWITCH)
                    if voice:  # the call is handed to a person; the bot logs no more
                        break
                    kinds.extend([AGENT] * (2 + int(rng.random() * 6)))
                    if rng.random() < 0.6:
                        kinds.append(FINISHED)
                else:
                    kinds.append(NO_OPERATORS)
            else:
                kinds.append(INTENT)
        if kinds[-1] != SWITCH:
            ending = rng.random()
            if ending < 0.35:
                kinds.append(GOODBYE)
            elif voice and ending < 0.8:
                kinds.append(HANGUP)

        times = [first]
        now = first
        for kind in kinds[1:]:
            if voice:
                now += 4 + int(rng.random() * 22)
            elif kind == AGENT:
                now += 15 + int(rng.random() * 170)
            elif rng.random() < 0.05:  # the client comes back later
                now += 600 + int(rng.random() * 10800)
            else:
                now += 3 + int(rng.expovariate(1 / 25))
            if now >= DAY_SECONDS + GENERATION_GRACE:
                break
            times.append(now)
        return Script(route, tuple(kinds[:len(times)]), tuple(times))

    def extent(self, index: int) -> tuple[int, int]:
        """First and last time (seconds in the day) of session ``index``'s rows in this file."""
        if index < self.new_sessions:
            times = self.script(self.session_rng(index)).times
        else:
            origin, number = self.returning[index - self.new_sessions]
            times = self.script(self._return_rng(origin, number, self.day), self._route(origin, number)).times
        last = times[-1]
        if last >= DAY_SECONDS:
            last = max((t for t in times if t < DAY_SECONDS), default=times[0])
        return times[0], last

    def balanced_edges(self, parts: int) -> list[int]:
        """Seconds that cut the day into ``parts`` windows expected to hold equal shares of the sessions.

        The share comes from the hourly traffic curves and the routes' mix of chat and phone, so no session
        has to be drawn to know it; cutting where traffic is even keeps workers busy for equal times, and few
        cuts mean few sessions drawn twice (a session that spans a cut is drawn by both windows).
        """
        voice_share = sum(weight for route, weight in zip(self.routes, _weights(self.route_cumulative), strict=True)
                          if route.channel.voice) / self.route_cumulative[-1]
        hourly = [0.0] * 24
        for curve, share in ((HOURLY_CHAT, 1 - voice_share), (HOURLY_VOICE, voice_share)):
            total = sum(curve)
            for local_hour, weight in enumerate(curve):
                hourly[(local_hour - self.offset_seconds // 3600) % 24] += share * weight / total
        cumulative = list(itertools.accumulate(hourly, initial=0.0))
        edges = [0]
        for part in range(1, parts):
            target = cumulative[-1] * part / parts
            hour = max(0, bisect.bisect_left(cumulative, target) - 1)
            within = (target - cumulative[hour]) / hourly[hour] if hourly[hour] else 0.0
            edges.append(max(edges[-1], min(DAY_SECONDS, int((hour + within) * 3600))))
        edges.append(DAY_SECONDS)
        return edges

    # -- step 2: the rows --------------------------------------------------------------------------------

    def format_time(self, seconds: int) -> str:
        if 0 <= seconds < DAY_SECONDS:
            hours, rest = divmod(seconds, 3600)
            minutes, secs = divmod(rest, 60)
            return f"{self.day_prefix}{hours:02d}:{minutes:02d}:{secs:02d}"
        return (self.day_start + timedelta(seconds=seconds)).strftime("%d.%m.%Y %H:%M:%S")

    def session_rows(self, index: int) -> list[tuple[int, Row]]:
        """``(seconds, row)`` for each row of session ``index`` that falls inside the day."""
        if index < self.new_sessions:
            rng = self.session_rng(index)
            script = self.script(rng)
            return _Conversation(self, rng, script).burst(self, rng, script, phrases_before=0)
        origin, number = self.returning[index - self.new_sessions]
        return self._returning_rows(origin, number)

    def _returning_rows(self, origin: date, number: int) -> list[tuple[int, Row]]:
        """Replay the session from its opening day through its earlier returns (for its state, its count
        and its client), then give today's burst."""
        opening_plan = self._on(origin)
        rng = opening_plan.session_rng(number)
        script = opening_plan.script(rng)
        conversation = _Conversation(opening_plan, rng, script)
        phrases = len(script.kinds)
        conversation.burst(opening_plan, rng, script, phrases_before=0)  # for its effect: state, client
        for back in self._return_days(origin, number):
            day = origin + timedelta(days=back)
            if day > self.day:
                break
            burst_rng = self._return_rng(origin, number, day)
            plan = self if day == self.day else self._on(day)
            burst = plan.script(burst_rng, script.route)
            if day == self.day:
                return conversation.burst(self, burst_rng, burst, phrases_before=phrases)
            conversation.burst(plan, burst_rng, burst, phrases_before=phrases)
            phrases += len(burst.kinds)
        raise AssertionError(f"session {number} of {origin} does not come back on {self.day}")

    # -- the day ------------------------------------------------------------------------------------------

    def extents(self) -> list[tuple[int, int, int]]:
        """``(first, last, index)`` of every session, in the order their first rows appear."""
        plan = [(*self.extent(index), index) for index in range(self.session_count)]
        plan.sort()
        return plan

    def rows(self, start: int = 0, stop: int = DAY_SECONDS,
             extents: list[tuple[int, int, int]] | None = None) -> Iterator[Row]:
        """The rows with ``start <= msg_rt < stop`` (seconds in the day), ordered by msg_rt then session."""
        plan = self.extents() if extents is None else extents
        heap: list[tuple[int, int, int, Row]] = []
        position, total = 0, len(plan)
        while position < total or heap:
            while position < total and (not heap or plan[position][0] <= heap[0][0]):
                first, last, index = plan[position]
                position += 1
                if first >= stop:  # the plan is sorted by first time: nothing after this is in the window
                    position = total
                    break
                if last < start:
                    continue
                for sequence, (moment, row) in enumerate(self.session_rows(index)):
                    if start <= moment < stop:
                        heapq.heappush(heap, (moment, index, sequence, row))
            if heap:
                yield heapq.heappop(heap)[3]


class _Conversation:
    """One session across its bursts: the client, the company, the state it was left in."""

    def __init__(self, plan: DayPlan, rng: Random, opening: Script) -> None:
        route = self.route = opening.route
        pools = route.pools
        channel = route.channel
        self.female = rng.random() < 0.5
        first_name = _pick(rng, pools.first_names_female if self.female else pools.first_names_male)
        if channel.voice or (channel.user_id_shape == "uuid" and rng.random() < NAMELESS_WEB_SHARE):
            self.client_name = ""
        elif rng.random() < 0.4:
            last_names = pools.last_names_female if self.female else pools.last_names_male
            self.client_name = f"{first_name} {_pick(rng, last_names)}"
        else:
            self.client_name = first_name
        self.client = provider.client_id(channel.id, route.bot_id,
                                         provider.user_id(rng, channel.id, route.scenario.locale))
        self.session_id = provider.session_id(rng, self.client, plan.account.session_id_style)
        self.filler = Filler(rng, route.scenario, plan.day)
        self.filler["first_name"] = first_name
        self.filler["company"] = route.company
        self.agent_female = rng.random() < 0.5
        label_share = TRANSFERRED_LABEL_SHARE if SWITCH in opening.kinds else SESSION_LABEL_SHARE
        self.tag = _pick(rng, route.scenario.session_labels) if rng.random() < label_share else ""
        self.started = opening.times[0]
        self.opened = plan.day
        self.state = ROOT_STATE

    def burst(self, plan: DayPlan, rng: Random, script: Script, *, phrases_before: int) -> list[tuple[int, Row]]:
        """The rows of one burst on ``plan``'s day; moves the conversation's state on."""
        route = self.route
        scenario = route.scenario
        pools = route.pools
        voice = route.channel.voice
        operator = scenario.operator
        filler = self.filler
        filler.rng = rng
        filler.day = plan.day
        fill = filler.fill
        female, agent_female = self.female, self.agent_female

        kinds, times = script.kinds, script.times
        started = self.started - (plan.day - self.opened).days * DAY_SECONDS
        head = (self.session_id, plan.format_time(started), plan.format_time(times[-1]),
                str(phrases_before + len(kinds)), self.tag, route.channel_label, route.channel_name, self.client,
                self.client_name, route.project.name)

        intents = scenario.intents
        state = self.state
        intent = None
        agent_spoke = False
        rows: list[tuple[int, Row]] = []
        for kind, moment in zip(kinds, times, strict=True):
            switched = operated = False
            tags = comment = ""
            if kind == INTENT:
                if intent is not None and intent.next and rng.random() < FOLLOW_UP_SHARE:
                    intent = intents[_pick(rng, intent.next)]
                else:
                    intent = intents[bisect.bisect_right(route.intent_cumulative,
                                                         rng.random() * route.intent_cumulative[-1])]
                if voice:
                    phrases = intent.voice
                elif intent.buttons and rng.random() < BUTTON_SHARE:
                    phrases = intent.buttons
                else:
                    phrases = intent.questions
                question = fill(_pick(rng, phrases), female)
                if voice:  # speech recognition writes what it hears in lower case
                    question = question.lower()
                answer = fill(_pick(rng, intent.answers), female)
                after = intent.state
                if rng.random() < TAG_SHARE:
                    tags = intent.tag
                if rng.random() < COMMENT_SHARE:
                    comment = intent.comment if rng.random() < 0.7 else _pick(rng, scenario.comments)
            elif kind == AGENT:
                question = fill(_pick(rng, operator.client_to_agent), female)
                replies = operator.agent_replies if agent_spoke else operator.agent_greetings
                answer = fill(_pick(rng, replies), agent_female)
                agent_spoke = operated = True
                after = state
            elif kind == START:
                question, answer, after = START_EVENT, fill(_pick(rng, scenario.start.answers), female), \
                    scenario.start.state
            elif kind == FALLBACK:
                fallback = scenario.fallback
                question = fill(_pick(rng, fallback.voice if voice else fallback.questions), female)
                answer, after = fill(_pick(rng, fallback.answers), female), fallback.state
                if rng.random() < COMMENT_SHARE * 2:
                    comment = _pick(rng, scenario.comments)
            elif kind in (SWITCH, NO_OPERATORS):
                question = fill(_pick(rng, operator.voice if voice else operator.questions), female)
                if kind == SWITCH:
                    filler["agent_name"] = _pick(rng, pools.first_names_female if agent_female
                                                 else pools.first_names_male)
                    answer, after, switched = fill(_pick(rng, operator.switch_answers), female), \
                        operator.switch_state, True
                else:
                    answer, after = fill(_pick(rng, operator.no_operators_answers), female), \
                        operator.no_operators_state
            elif kind == FINISHED:
                question, answer, after = LIVECHAT_FINISHED_EVENT, \
                    fill(_pick(rng, operator.finished_answers), female), operator.finished_state
            elif kind == GOODBYE:
                goodbye = scenario.goodbye
                question = fill(_pick(rng, goodbye.voice if voice else goodbye.questions), female)
                answer, after = fill(_pick(rng, goodbye.answers), female), goodbye.state
            else:  # HANGUP: the caller put the phone down; the bot has nothing to say
                question, answer, after = HANGUP_EVENT, "", HANGUP_STATE
            if voice:
                answer = spoken(answer)
            if moment < DAY_SECONDS:
                rows.append((moment, (*head, plan.format_time(moment), question, answer, state, after,
                                      TRUE if switched else FALSE, TRUE if operated else FALSE, comment, tags)))
            state = after
        self.state = state
        return rows


def generate_day(account: AccountSpec, day: date, *, version: int = 1, seed: int,
                 channel_labels: str = "display") -> Iterator[Row]:
    """Every row of one day file, in log order, as tuples of the 19 column texts."""
    return DayPlan(account, day, version=version, seed=seed, channel_labels=channel_labels).rows()
