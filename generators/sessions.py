"""Coherent sessions, merged into one day's rows in log order.

A day is a list of sessions. Session ``i`` draws everything from its own ``random.Random``, seeded from
(seed, account, day, i) by a stable hash (a client's first session: from the client's seed, which that hash
gives), so any session, and so any time window of the day, can be generated alone, in any process, with
identical output. Late-arriving sessions of regenerated versions
are seeded from (seed, account, day, version, j), so version n+1 holds every dialog of version n plus a few.

A session is a client with one goal (now and then a second): the goal is a small graph of steps from the
scenario file, and each client turn is one step's phrase answered by that step's reply. The bot may
mishear a statement (a fallback, a clarifying question, or another goal's answer) and the client says it
again; "yes", numbers and button taps only answer the step that asked for them. The session ends when the
goal is reached or failed, the client goes quiet, hangs up, or asks for a human (who may not be online).

Clients come back: some of a day's sessions belong to a client of the past week (phone callers above all),
with the same ``client_id``; and every LONG_EVERY-th chat session may continue on later days under the same
session id, with the count of every phrase so far, so a client that reads several days' files sees it grow.

Each burst is made in two steps from the same RNG: a *script* (every turn's kind, texts and time), then the
*rows* (facts filled in, client text composed). The day's plan needs only the scripts' first and last times,
which keeps memory flat in the number of rows; rows are produced lazily as the merge reaches each session.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any, NamedTuple

from generators import provider
from generators.channels import CHANNELS_BY_ID, Channel
from generators.model import AccountSpec, ProjectSpec, stable_int
from generators.pools import LocalePools, load_pools
from generators.scenarios import Goal, Scenario, load_scenario
from generators.script import Builder, Script
from generators.writing import Client, Session, draw_client, render_burst, skip_burst

Row = tuple[str, ...]
DAY_SECONDS = 86400
GENERATION_GRACE = 60
"""The file is written at 00:01: phrases in that first minute of the next day are known and counted."""

# Relative traffic by local hour, chat and phone; weekends scale the whole day (AccountSpec.weekend_factor).
HOURLY_CHAT = (1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.2, 2.4, 4.2, 5.8, 6.6, 6.8, 6.4, 6.5, 6.6, 6.4, 6.1, 5.9,
               5.6, 5.5, 5.3, 4.6, 3.4, 2.1)
HOURLY_VOICE = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 2.0, 5.0, 7.5, 8.0, 8.0, 7.2, 7.4, 7.6, 7.2, 6.8, 6.0,
                4.4, 3.0, 2.0, 1.2, 0.6, 0.3)

LONG_EVERY = 12                 # every 12th session of a day may continue on later days (chat only)
RETURN_WINDOW = 7               # ... within this many days; returning clients come back within it too
SECOND_RETURN_SHARE = 0.35      # continuing sessions that come back on two days rather than one
DAY_VARIATION = 0.15            # the day's new-session count varies by up to this share, by a hash of the day
IDENTITY_MEMO = 50_000           # earlier days' clients remembered while a day is made (memory stays flat)
MAX_BURST = 3600               # a burst's last turn is at most this long after its first (windows rely on it)
REPEAT_SHARE = {False: 0.22, True: 0.55}   # a day's sessions from clients of the past week: chat, phone
"""Read as: of the candidates a session's hash proposes, this share in chat (phone) is a returning client."""
_REPEAT_LIMIT = {voice: share * 1000 for voice, share in REPEAT_SHARE.items()}
_REPEAT_CANDIDATE = max(_REPEAT_LIMIT.values())



def _cumulative(weights: tuple[float, ...] | list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


_HOURLY_CUMULATIVE = {False: _cumulative(HOURLY_CHAT), True: _cumulative(HOURLY_VOICE)}
_HOURS = tuple(f"{hour:02d}:" for hour in range(24))
_MINUTES_SECONDS = tuple(f"{second // 60:02d}:{second % 60:02d}" for second in range(3600))
_MIX = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1
_INDEX_BITS = 32
"""``starts`` packs (first moment, index) into one int: a flat array sorts and bisects like the pairs."""
_INDEX_MASK = (1 << _INDEX_BITS) - 1


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
    goal_cumulative: tuple[float, ...]

    def pick_goal(self, rng: Random) -> Goal:
        goals = self.scenario.goals
        return goals[bisect.bisect_right(self.goal_cumulative, rng.random() * self.goal_cumulative[-1])]


class Identity(NamedTuple):
    """Who a session's client is: the seed of their own values and the channel they write from. (A tuple:
    every session and every lookup of a past week's client makes one, and a frozen dataclass is slower to
    make.)"""

    seed: int
    route: Route


def channel_name(short_name: str, channel_id: str) -> str:
    """The raw log's channel_name of a project's channel: what the platform's "channel ID" filter lists."""
    return f"{short_name.split('-')[0]}_{channel_id}"


def channel_names(account: AccountSpec) -> tuple[str, ...]:
    """Every channel_name the account's days can hold, in configuration order."""
    return tuple(channel_name(provider.project_short_name(account.account_id, project.name, project.code), channel)
                 for project in account.projects for channel in project.channels)


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
                channel_name=channel_name(short_name, channel_id),
                company=scenario.companies[company_pick],
                goal_cumulative=tuple(_cumulative([goal.weight for goal in scenario.goals])),
            ))
            weights.append(project.weight * channel.weight / channel_weight)
    return routes, _cumulative(weights)


def _weights(cumulative: list[float]) -> list[float]:
    return [value - previous for previous, value in zip([0.0, *cumulative[:-1]], cumulative, strict=True)]


class DayPlan:
    """The sessions of one (account, day, version, seed) and how to make each of them.

    Indices ``0 .. base_sessions - 1`` are the sessions that start today, then the late arrivals of
    regenerated versions, then the sessions of earlier days that continue today (``returning``).
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
        self._volumes: dict[date, int] = {}
        self.base_sessions = self.sessions_on(day)
        # Late arrivals of each regenerated version w = 2..version: about 2% of the day, at least one.
        self.late_counts = [1 + stable_int(seed, account.account_id, day, "late-count", w)
                            % max(1, self.base_sessions // 50) for w in range(2, version + 1)]
        self._late_starts = list(itertools.accumulate(self.late_counts, initial=self.base_sessions))
        self._returning: list[tuple[date, int]] | None = None
        self._siblings: dict[date, DayPlan] = {}
        self._identities: dict[tuple[date, int], Identity] = {}
        self._prefixes: dict[tuple[date, str], Any] = {}  # a blake2b hasher over the seed's prefix, per day and tag
        self._weeks: dict[date, tuple[tuple[date, int], ...]] = {}
        self._local_days: dict[int, date] = {}
        self._route_index = {id(route): number + 1 for number, route in enumerate(self.routes)}
        self._known_route = bytearray()
        """Today's base sessions: their route's number + 1 once resolved (0: not yet), with their seed bits and
        client seed beside it, so the rows do not resolve again what the day's plan resolved."""
        self._known_bits = array("Q")
        self._known_seed = array("Q")
        self._stamps: list[str] | None = None

    def sessions_on(self, day: date) -> int:
        """New sessions of a day: the weekday or weekend volume, moved up or down by the day's own hash."""
        count = self._volumes.get(day)
        if count is None:
            count = self._volumes[day] = self._volume(day)
        return count

    def _volume(self, day: date) -> int:
        factor = self.account.weekend_factor if day.weekday() >= 5 else 1.0
        swing = (stable_int(self.seed, self.account.account_id, day, "volume") % 2001 - 1000) / 1000
        return round(self.account.sessions_per_day * factor * (1 + DAY_VARIATION * swing))

    def _on(self, day: date) -> DayPlan:
        """The plan of another day of the same account, for replaying the sessions that continue today."""
        if day not in self._siblings:
            self._siblings[day] = DayPlan(self.account, day, seed=self.seed, channel_labels=self.channel_labels)
        return self._siblings[day]

    @property
    def new_sessions(self) -> int:
        """Sessions that start today: the base ones and the late arrivals."""
        return self._late_starts[-1]

    @property
    def returning(self) -> list[tuple[date, int]]:
        """(origin day, index) of each earlier session that continues today."""
        if self._returning is None:
            found = []
            for back in range(RETURN_WINDOW, 0, -1):
                origin = self.day - timedelta(days=back)
                for index in range(0, self.sessions_on(origin), LONG_EVERY):
                    if back in self._return_days(origin, index) and not self.identity(origin,
                                                                                       index).route.channel.voice:
                        found.append((origin, index))
            self._returning = found
        return self._returning

    @property
    def session_count(self) -> int:
        return self.new_sessions + len(self.returning)

    def _return_days(self, origin: date, index: int) -> tuple[int, ...]:
        """How many days after ``origin`` session ``index`` of that day continues.

        Read straight from the bits of one stable hash: every day's plan asks this for a week of candidates,
        so it must be cheaper than seeding a ``Random``.
        """
        bits = self._indexed_bits(origin, "returns", index)
        first = 1 + bits % RETURN_WINDOW
        if (bits >> 8) % 1000 >= SECOND_RETURN_SHARE * 1000:
            return (first,)
        second = 1 + (first + (bits >> 20) % (RETURN_WINDOW - 1)) % RETURN_WINDOW  # any other day of the window
        return tuple(sorted((first, second)))

    # -- who writes in -------------------------------------------------------------------------------------

    def identity(self, day: date, index: int) -> Identity:
        """The client of base session ``index`` of ``day``: their own, or a client of the past week's.

        One hash proposes an earlier session; its client comes back when the hash falls under that
        channel's repeat share, so phone lines see the most repeat callers. Followed back to the first
        session of the client, so every later session of theirs has the same id and values.
        """
        if day == self.day:
            return self._resolve(day, index)
        key = (day, index)
        found = self._identities.get(key)
        if found is None:
            if len(self._identities) >= IDENTITY_MEMO:  # a pure function: forgetting only costs time
                self._identities.clear()
            found = self._identities[key] = self._resolve(day, index)
        return found

    def _resolve(self, day: date, index: int, base: int | None = None) -> Identity:
        # The session's own seed, scrambled: one hash per session serves its RNG and its client.
        bits = ((self._base_bits(day, index) if base is None else base) * _MIX) & _MASK64
        chance = bits % 1000
        if chance < _REPEAT_CANDIDATE:
            origin, count = self._week_before(day)[(bits >> 10) % RETURN_WINDOW]
            if count:
                earlier = self.identity(origin, (bits >> 20) % count)
                if chance < _REPEAT_LIMIT[earlier.route.channel.voice]:
                    return earlier
        return Identity(bits, self._route_at((bits >> 44) / 2**20))

    def _week_before(self, day: date) -> tuple[tuple[date, int], ...]:
        """(day, new sessions) of the RETURN_WINDOW days before ``day``, nearest first: asked per client."""
        found = self._weeks.get(day)
        if found is None:
            found = self._weeks[day] = tuple((origin, self.sessions_on(origin)) for origin in (
                day - timedelta(days=back) for back in range(1, RETURN_WINDOW + 1)))
        return found

    def session_bits(self, index: int) -> int:
        """The seed of session ``index``: base sessions by the one formula every day's plan agrees on, late
        arrivals of regenerated versions by their version and number."""
        if index < self.base_sessions:
            if index < len(self._known_route) and self._known_route[index]:
                return self._known_bits[index]
            return self._base_bits(self.day, index)
        slot = bisect.bisect_right(self._late_starts, index) - 1
        return stable_int(self.seed, self.account.account_id, self.day, "late", slot + 2,
                          index - self._late_starts[slot])

    def continues(self, index: int, identity: Identity) -> bool:
        """Whether session ``index`` of today comes back on later days (every LONG_EVERY-th chat session)."""
        return index < self.base_sessions and index % LONG_EVERY == 0 and not identity.route.channel.voice

    def session_identity(self, index: int) -> Identity:
        if index < self.base_sessions:
            if index < len(self._known_route):
                number = self._known_route[index]
                if number:
                    return Identity(self._known_seed[index], self.routes[number - 1])
            return self.identity(self.day, index)
        bits = stable_int(self.seed, self.account.account_id, self.day, "late-client", index)
        return Identity(bits, self._route_at((bits >> 44) / 2**20))

    def _base_bits(self, day: date, index: int) -> int:
        """``stable_int(seed, account, day, "session", index)``: every session of a day and every client lookup
        asks for one."""
        return self._indexed_bits(day, "session", index)

    def _indexed_bits(self, day: date, tag: str, index: int) -> int:
        """``stable_int(seed, account, day, tag, index)``, from a hash of the common prefix kept per day and tag."""
        prefix = self._prefixes.get((day, tag))
        if prefix is None:
            prefix = self._prefixes[day, tag] = hashlib.blake2b(
                f"{self.seed}\x1f{self.account.account_id}\x1f{day}\x1f{tag}\x1f".encode(), digest_size=8)
        hasher = prefix.copy()
        hasher.update(str(index).encode())
        return int.from_bytes(hasher.digest(), "big")

    def _return_bits(self, origin: date, index: int, day: date) -> int:
        return stable_int(self.seed, self.account.account_id, day, "return", origin, index)

    def _route_at(self, fraction: float) -> Route:
        """The route at ``fraction`` (0..1) of the routes' cumulative weight."""
        return self.routes[bisect.bisect_right(self.route_cumulative, fraction * self.route_cumulative[-1])]

    # -- step 1: the script ------------------------------------------------------------------------------

    def first_time(self, bits: int, identity: Identity) -> int:
        """A burst's first moment (seconds in the day) by the hourly curve, read from the bits of its seed
        (the day's plan needs every burst's first moment: cheaper than seeding a ``Random``)."""
        hourly = _HOURLY_CUMULATIVE[identity.route.channel.voice]
        local_hour = bisect.bisect_right(hourly, (bits >> 40) / 2**24 * hourly[-1])
        first = ((local_hour * 3600 - self.offset_seconds) % DAY_SECONDS) + (bits >> 8) % 3600
        return min(first, DAY_SECONDS - 1)

    def script(self, bits: int, rng: Random, identity: Identity, *, opening: bool = True,
               continuing: bool = False, first: int | None = None) -> Script:
        """A burst: the opening one of a new session, or (``opening=False``) its continuation on a later day.
        ``rng``: the session's (``_session_rng``), or one seeded from ``bits`` for a later day's burst.
        ``continuing``: the session goes on over later days (so does every continuation). ``first``: the
        burst's first moment when the day's plan knows it already (``first_time``)."""
        route = identity.route
        if first is None:
            first = self.first_time(bits, identity)
        concern = route.scenario.goals[identity.seed % len(route.scenario.goals)]
        limit = min(DAY_SECONDS + GENERATION_GRACE, first + MAX_BURST)
        builder = Builder(rng, route.scenario, route.channel, first, limit, concern, route.pick_goal,
                          continuing=continuing or not opening)
        builder.session(opening)
        return builder.script()

    def _session_script(self, index: int, first: int | None = None) -> Made:
        bits = self.session_bits(index)
        identity = self.session_identity(index)
        rng, client = _session_rng(bits, identity)
        script = self.script(bits, rng, identity, continuing=self.continues(index, identity), first=first)
        return Made(bits, rng, identity, script, client)

    def _burst_start(self, index: int) -> int:
        if index < len(self._known_route):
            bits = self._base_bits(self.day, index)
            identity = self._resolve(self.day, index, bits)
            self._known_bits[index] = bits
            self._known_seed[index] = identity.seed
            self._known_route[index] = self._route_index[id(identity.route)]
            return self.first_time(bits, identity)
        if index < self.new_sessions:
            return self.first_time(self.session_bits(index), self.session_identity(index))
        origin, number = self.returning[index - self.new_sessions]
        return self.first_time(self._return_bits(origin, number, self.day), self.identity(origin, number))

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
            return self.stamps[seconds]
        return (self.day_start + timedelta(seconds=seconds)).strftime("%d.%m.%Y %H:%M:%S")

    @property
    def stamps(self) -> list[str]:
        """Every second of the day as msg_rt writes it: each row looks its time up (about 7 MB a day), made on
        first use. (Kept by hand, not ``functools.cached_property``: a compiled class has no ``__dict__``
        to cache in, so it would make the list again on every call.)"""
        if self._stamps is None:
            self._stamps = [self.day_prefix + hour + rest for hour in _HOURS for rest in _MINUTES_SECONDS]
        return self._stamps

    def local_day(self, seconds: int) -> date:
        """The audience's calendar day at ``seconds`` from this day's 00:00 UTC (kept per day apart: every
        burst asks, and only two or three answers exist)."""
        days = (seconds + self.offset_seconds) // DAY_SECONDS
        found = self._local_days.get(days)
        if found is None:
            found = self._local_days[days] = self.day + timedelta(days=days)
        return found

    def session_rows(self, index: int, made: Made | None = None) -> list[tuple[int, Row]]:
        """``(seconds, row)`` for each row of session ``index`` that falls inside the day. ``made``: the
        session's script already drawn (``_session_script``), its RNG where the script left it."""
        if index < self.new_sessions:
            made = self._session_script(index) if made is None else made
            conversation = _Conversation(self, made, continuing=self.continues(index, made.identity))
            return conversation.burst(self, made.rng, made.script, phrases_before=0)
        origin, number = self.returning[index - self.new_sessions]
        return self._returning_rows(origin, number)

    def _returning_rows(self, origin: date, number: int) -> list[tuple[int, Row]]:
        """Follow the session from its opening day through its earlier returns (their scripts give its state
        and its count), then give today's burst."""
        opening_plan = self._on(origin)
        opening = opening_plan._session_script(number)
        identity = opening.identity
        conversation = _Conversation(opening_plan, opening, continuing=True)
        phrases = len(opening.script.turns)
        conversation.skip(opening.script)
        for back in self._return_days(origin, number):
            day = origin + timedelta(days=back)
            if day > self.day:
                break
            burst_bits = self._return_bits(origin, number, day)
            burst_rng = Random(burst_bits)
            plan = self if day == self.day else self._on(day)
            burst = plan.script(burst_bits, burst_rng, identity, opening=False)
            if day == self.day:
                return conversation.burst(self, burst_rng, burst, phrases_before=phrases)
            conversation.skip(burst)
            phrases += len(burst.turns)
        raise AssertionError(f"session {number} of {origin} does not continue on {self.day}")

    # -- the day ------------------------------------------------------------------------------------------

    def _last_moment(self, index: int, first: int) -> tuple[int, Made | None]:
        """The last turn's moment of session ``index``'s burst today (which begins at ``first``): its script,
        without its texts; and a new session's script, for its rows when it reaches into the window (no
        second draw)."""
        if index < self.new_sessions:
            made = self._session_script(index, first)
            return made.script.times[-1], made
        origin, number = self.returning[index - self.new_sessions]
        bits = self._return_bits(origin, number, self.day)
        return self.script(bits, Random(bits), self.identity(origin, number), opening=False).times[-1], None

    def starts(self, first: int = 0, stop: int | None = None) -> array:
        """``first moment << 32 | index`` of sessions ``first .. stop - 1`` (default: every session), sorted:
        the order their first rows appear. Parts of the day's sessions can be planned apart and merged.

        Only each burst's first draws are made: a burst never lasts longer than MAX_BURST, so a time window
        needs no session's last moment to know which sessions reach into it.
        """
        stop = self.session_count if stop is None else stop
        self._remember_base(stop)
        keys = [self._burst_start(index) << _INDEX_BITS | index for index in range(first, stop)]
        keys.sort()
        return array("q", keys)

    def known(self, first: int, stop: int) -> tuple[bytes, array, array]:
        """What ``starts(first, stop)`` resolved of today's base sessions, for another process's plan."""
        stop = min(stop, len(self._known_route))
        return (bytes(self._known_route[first:stop]), self._known_bits[first:stop] if first < stop else array("Q"),
                self._known_seed[first:stop] if first < stop else array("Q"))

    def adopt(self, first: int, known: tuple[bytes, array, array]) -> None:
        """Take what another process's plan resolved of sessions ``first ..`` (see ``known``)."""
        routes, bits, seeds = known
        stop = first + len(routes)
        self._remember_base(stop)
        if stop <= len(self._known_route):
            self._known_route[first:stop] = routes
            self._known_bits[first:stop] = bits
            self._known_seed[first:stop] = seeds

    def _remember_base(self, count: int) -> None:
        """Room to remember today's first ``count`` base sessions as they are resolved."""
        count = min(count, self.base_sessions)
        if len(self.routes) < 255 and len(self._known_route) < count:
            grow = count - len(self._known_route)
            self._known_route.extend(bytes(grow))
            self._known_bits.extend(itertools.repeat(0, grow))
            self._known_seed.extend(itertools.repeat(0, grow))

    def rows(self, start: int = 0, stop: int = DAY_SECONDS, starts: array | None = None) -> Iterator[Row]:
        """The rows with ``start <= msg_rt < stop`` (seconds in the day), ordered by msg_rt then session.

        Rows wait in one list per second rather than in a heap: a second is due once every session that
        begins by it is drawn (a session's rows come at or after its first moment), and the few rows of a
        second sort by session cheaply; a heap of a busy hour's rows compared tuples a dozen times a row.
        """
        plan = self.starts() if starts is None else starts
        due: dict[int, list[tuple[int, Row]]] = {}
        position = bisect.bisect_left(plan, (start - MAX_BURST) << _INDEX_BITS)  # earlier bursts end before it
        total = len(plan)
        moment = start
        while moment < stop:
            while position < total and plan[position] >> _INDEX_BITS <= moment:
                key = plan[position]
                position += 1
                self._draw(key & _INDEX_MASK, key >> _INDEX_BITS, start, stop, due)
            rows = due.pop(moment, None)
            if rows is not None:
                if len(rows) > 1:
                    rows.sort()  # one row per session and second: the session index decides
                for _, row in rows:
                    yield row
            elif not due:  # nothing waits: go to the next session's first moment
                if position == total:
                    return
                moment = max(moment, plan[position] >> _INDEX_BITS) - 1
            moment += 1

    def _draw(self, index: int, first: int, start: int, stop: int, due: dict[int, list[tuple[int, Row]]]) -> None:
        """Session ``index``'s rows inside the window, each into the list of its second; ``first``: the moment
        its burst begins today (before ``start``: the session began before the window)."""
        if first < start:
            last, made = self._last_moment(index, first)
            if last < start:  # over before the window: skip its texts
                return
        elif index < self.new_sessions:
            made = self._session_script(index, first)
        else:
            made = None
        for moment, row in self.session_rows(index, made):
            if start <= moment < stop:
                rows = due.get(moment)
                if rows is None:
                    due[moment] = [(index, row)]
                else:
                    rows.append((index, row))


class _Conversation:
    """One session across its bursts: the client, the facts quoted so far, the state it was left in."""

    def __init__(self, plan: DayPlan, opening: Made, *, continuing: bool) -> None:
        identity = opening.identity
        self.route = identity.route
        self.session = Session(plan.account, self.route, opening.client, identity.seed, opening.rng,
                               session_seed=opening.bits, continuing=continuing)
        self.started = opening.script.times[0]
        self.opened = plan.day

    def burst(self, plan: DayPlan, rng: Random, script: Script, *, phrases_before: int) -> list[tuple[int, Row]]:
        """The rows of one burst on ``plan``'s day; moves the conversation's state on."""
        started = self.started - (plan.day - self.opened).days * DAY_SECONDS
        return render_burst(self.session, plan, rng, script, started=started, phrases_before=phrases_before)

    def skip(self, script: Script) -> None:
        skip_burst(self.session, script)


class Made(NamedTuple):
    """A new session's script and what drew it: its seed, its RNG where the script left it, its client."""

    bits: int
    rng: Random
    identity: Identity
    script: Script
    client: Client


def _session_rng(bits: int, identity: Identity) -> tuple[Random, Client]:
    """The session's RNG and its client. A client's first session draws the client and then everything else
    from one RNG seeded with the client's seed (seeding a ``Random`` costs more than a turn); a returning
    client is drawn again from the start of such an RNG, and the session draws from its own."""
    if identity.seed == (bits * _MIX) & _MASK64:  # the seed ``_resolve`` gives a client new today
        rng = Random(identity.seed)
        return rng, draw_client(rng, identity.route)
    return Random(bits), draw_client(Random(identity.seed), identity.route)


def generate_day(account: AccountSpec, day: date, *, version: int = 1, seed: int,
                 channel_labels: str = "display") -> Iterator[Row]:
    """Every row of one day file, in log order, as tuples of the 19 column texts."""
    return DayPlan(account, day, version=version, seed=seed, channel_labels=channel_labels).rows()

