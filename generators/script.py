"""A burst's script: every turn's kind, the texts it is drawn from and its time, walked over the goal graphs.

The script holds templates, not text: filling in facts and composing the client's words is the rows' job
(``generators.writing``). Times follow what was said: a chat client reads the reply and types the next
phrase; on a call both sides speak; an agent answers after a queue with a long tail.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING, NamedTuple

from generators.memo import ByIdentity
from generators.scenarios import (
    SETTLED,
    Goal,
    Operator,
    OperatorTurn,
    Scenario,
    Step,
    Template,
    is_bare_answer,
)

if TYPE_CHECKING:
    from generators.channels import Channel

# Kinds of turn.
START, STEP, MISS, OFFTOPIC, SWITCH, NO_OPERATORS, WAITING, AGENT, FINISHED, GOODBYE, HANGUP = range(11)

# Modes of a client turn (bits): how the rows compose the client's words.
TAP = 1           # a button caption, exactly as shown
GREETING = 2      # the first phrase of a burst, or after a long pause: it may open with a greeting
FAREWELL = 4      # the client's last words (a goodbye, closing an agent chat): it may end with "thanks"
GARBLED = 8       # the phrase the bot did not understand: typos likelier
STATEMENT = 16    # the client states a need: it may end with "pls"
FIRST_ASK = 32    # a goal's first statement: it may grow into a long complaint

# Session dynamics, as probabilities.
START_ONLY_SHARE = 0.12          # web-widget sessions that open the widget and write nothing
EARLY_OPERATOR_SHARE = 0.04      # clients who ask for a human straight away
OFFTOPIC_SHARE = 0.07            # sessions with a one-off phrase the bot cannot place
MISHEAR_SHARE = 0.13             # statements the bot does not understand at first
MISHEAR_AGAIN_SHARE = 0.25       # ... and the rephrased one again
CLARIFY_SHARE = 0.3              # of those: the bot asks to rephrase (else a fallback, or a wrong goal)
WRONG_GOAL_SHARE = 0.18          # of those: the bot answers another goal's entry step
GIVE_UP_AFTER_MISS = 0.15        # the client leaves after being misheard
OPERATOR_AFTER = {"failed": 0.4, "gave_up": 0.12, "done": 0.015}
OPERATORS_ONLINE = 0.72          # operator requests that find an agent
RETRY_AFTER_NO_OPERATORS = 0.4   # the client tries the bot again when nobody is online
TAP_SHARE = 0.55                 # steps after offered buttons that are tapped (when the step has buttons)
GOODBYE_AFTER = {"done": 0.55, "failed": 0.3, "gave_up": 0.05}
RELATED_SHARE = 0.6             # goals reached that the client follows with a related question (another entry)
FOLLOW_UP_SHARE = 0.85           # goals followed along `next` while the session has turns left (else 0.12)
HANGUP_SHARE = 0.6               # calls that log the caller's hangup
LONG_PAUSE_SHARE = 0.04          # chat turns after the client left and came back
FINISHED_SHARE = 0.8             # agent chats the agent closes (livechatFinished)
SATISFACTION_SHARE = 0.5         # closed agent chats labelled by satisfaction rather than "transferred"
SATISFIED = {"done": 0.85, "escalated": 0.3}   # of those: satisfied, by how the matter ended (else unhappy)
ACT_LIMIT = 5                    # agent-chat exchanges about the matter before it is settled, at most
OWN_TURN_SHARE = 0.75            # act exchanges drawn from the goal's own turns when it has fitting ones
FOLLOW_UP_AFTER_SETTLED = 0.3    # settled matters followed by one more ask ("can you send a new card too")
CLOSE_SHARE = 0.7                # settled agent chats with a closing exchange ("thanks" / "ok, I'll wait")
QUEUE_MEDIAN, QUEUE_SIGMA = 90.0, 1.35   # seconds to an agent: median 1.5 min, p95 about 14 min
AGENT_MEDIAN, AGENT_SIGMA = 35.0, 0.8    # seconds an agent takes to answer a line


class Turn(NamedTuple):
    kind: int
    moment: int
    say: Template | None
    """The client's phrase (None: an event, or a line the rows draw from the locale's talk)."""
    reply: Template | None
    state: str
    """state_after; "" keeps the state before (agent and queue rows)."""
    goal: Goal | None
    mode: int


class Script(NamedTuple):
    turns: tuple[Turn, ...]
    times: tuple[int, ...]
    outcome: str
    """The session label kind: done, failed, gave_up, transferred, no_operators, satisfied, unsatisfied, ""."""
    goal: Goal | None


_new_turn = functools.partial(tuple.__new__, Turn)
"""``Turn(...)`` without the named tuple's Python-level ``__new__``: every turn of every burst is one."""


def _pick(rng: Random, items):
    return items[int(rng.random() * len(items))]


def _ranked(rng: Random, count: int) -> int:
    """0 .. count-1, the first likeliest (weights 1, 1/2, 1/3 ...)."""
    if count == 1:
        return 0
    draw = rng.random() * _HARMONIC[count]
    index = 0
    while draw >= 1 / (index + 1):
        draw -= 1 / (index + 1)
        index += 1
    return min(index, count - 1)


_HARMONIC = [0.0, *(sum(1 / k for k in range(1, n + 1)) for n in range(1, 40))]


class Builder:
    """Walks one burst of a session and times each turn."""

    # Where every burst starts (class defaults: one builder per session, most of them never change these).
    last_reply = 0
    last_moment = -1  # the last turn's (none yet: a burst's first moment is 0 or later)
    greeting = True
    offered: Step | None = None
    goal: Goal | None = None
    outcome = ""
    asked_operator = False
    agent = False
    client_turns = 0
    first_ask = False
    agent_said: Template | None = None  # the agent's last line in an agent chat

    def __init__(self, rng: Random, scenario: Scenario, channel: Channel, first: int, limit: int,
                 concern: Goal, pick_goal: Callable[[Random], Goal], *, continuing: bool = False) -> None:
        self.rng = rng
        self.continuing = continuing
        """The session goes on over later days: its agent chat is closed (the next day's bot answers
        would otherwise fall inside an open chat)."""
        self.scenario = scenario
        self.voice = channel.voice
        self.widget = channel.id == "chatwidget"
        self.now = first
        self.limit = limit
        self.concern = concern
        self.pick_goal = pick_goal
        self.turns: list[Turn] = []
        self.times: list[int] = []
        self.stated: set[str] = set()  # goals the client has stated (mutable: one per builder)
        self.given: set[str] = set()  # slots the client has given (an order number...): not asked for again
        mean = scenario.mean_turns * (0.7 if self.voice else 1.0)
        self.budget = 1 + rng.expovariate(1 / max(0.5, mean - 1))

    # -- the session's course ------------------------------------------------------------------------------

    def session(self, opening: bool) -> None:
        rng = self.rng
        if opening:
            start = self.scenario.start
            self.add(START, None, _pick(rng, start.reply_voice if self.voice else start.reply), start.state)
            if self.widget and rng.random() < START_ONLY_SHARE:
                return
        if rng.random() < OFFTOPIC_SHARE:
            self.offtopic()
        if rng.random() < EARLY_OPERATOR_SHARE and self.operator() != "retry":
            return
        goal = self.concern if rng.random() < 0.5 else self.pick_goal(rng)
        self.goal = goal
        outcome = self.outcome = self.walk(goal)
        if rng.random() < OPERATOR_AFTER.get(outcome, 0.0):
            if self.operator() != "retry":
                return
            outcome = self.outcome = self.walk(goal)
        elif (outcome == "done" and self.budget > self.client_turns
              and rng.random() < self.scenario.second_goal_share):
            second = self.pick_goal(rng)
            if second.tag != goal.tag:  # one topic's goals may contradict each other (cancel; too late to cancel)
                self.walk(second)
        self.ending(outcome)

    def ending(self, outcome: str) -> None:
        rng = self.rng
        goodbye = self.scenario.goodbye
        if rng.random() < GOODBYE_AFTER.get(outcome, 0.0):
            phrases = goodbye.voice if self.voice else goodbye.say
            self.add(GOODBYE, _pick(rng, phrases), _pick(rng, goodbye.reply_voice if self.voice else goodbye.reply),
                     goodbye.state, mode=FAREWELL)
        if self.voice and rng.random() < HANGUP_SHARE:
            self.add(HANGUP, None, None, "/Hangup")

    def walk(self, goal: Goal) -> str:
        """One goal, from an entry step along ``next``, then now and then another of its entry steps (a related
        question) while the session has turns left: returns done, failed or gave_up. No step is said twice: a
        client does not ask what the bot has just answered."""
        rng = self.rng
        said: set[str] = set()
        self.first_ask = goal.name not in self.stated  # once more after no agent was online: said it all once
        self.stated.add(goal.name)
        entries = list(goal.entries)
        outcome = self.path(goal, goal.steps[entries.pop(_ranked(rng, len(entries)))], said)
        while outcome == "done" and self.client_turns < self.budget and rng.random() < RELATED_SHARE:
            entries = _related(goal, entries, said)
            if not entries:
                break
            outcome = self.path(goal, goal.steps[entries.pop(int(rng.random() * len(entries)))], said)
        return outcome

    def path(self, goal: Goal, step: Step, said: set[str]) -> str:
        """From ``step`` along ``next`` until the client stops or the goal ends."""
        rng = self.rng
        while True:
            answer = self.known_answer(goal, step) if step.answered_by else None
            if not self.say_step(goal, step, answer):
                return "gave_up"
            said.add(step.name)
            if answer is not None:  # the bot used what the client gave before: on from its answer
                step = answer
                said.add(step.name)
            following = [goal.steps[target] for target in step.next if goal.steps[target].name not in said]
            if not following:
                return step.ends or "done"
            keep_on = 0.92 if step.asks else (FOLLOW_UP_SHARE if self.client_turns < self.budget else 0.12)
            if rng.random() >= keep_on:
                return "gave_up" if step.asks else (step.ends or "done")
            self.offered = step if step.offers_buttons and not self.voice else None
            step = following[_ranked(rng, len(following))]

    def known_answer(self, goal: Goal, step: Step) -> Step | None:
        """The step that answers ``step``'s question with a slot the client gave earlier in the session."""
        for slot, target in step.answered_by:
            if slot in self.given:
                return goal.steps[target]
        return None

    def say_step(self, goal: Goal, step: Step, answer: Step | None = None) -> bool:
        """The client's turn at a step, misheard first now and then; False when the client gives up. ``answer``:
        the bot replies as that step does (it knows the slot ``step`` would ask for)."""
        rng = self.rng
        phrases = step.voice if self.voice else step.say
        offered, self.offered = self.offered, None
        replying = answer or step
        if offered is not None and step.buttons and rng.random() < TAP_SHARE:
            self.add(STEP, _pick(rng, step.buttons), self.reply(replying), replying.state, goal, TAP)
            return True
        said = _pick(rng, phrases)
        mode = 0 if step.answers else STATEMENT | (FIRST_ASK if self.first_ask else 0)
        self.first_ask = False
        if not step.answers and rng.random() < MISHEAR_SHARE:
            said = self.mishear(goal, said, phrases, mode)
            if said is None:
                return False
            mode &= ~FIRST_ASK  # the rephrased ask is short: the client has said it all once
            if rng.random() < MISHEAR_AGAIN_SHARE * MISHEAR_SHARE * 4:
                said = self.mishear(goal, said, phrases, mode)
                if said is None:
                    return False
        if said.slots:
            self.given |= said.slots
        self.add(STEP, said, self.reply(replying), replying.state, goal, mode)
        return True

    def mishear(self, goal: Goal, said: Template, phrases: tuple[Template, ...], mode: int) -> Template | None:
        """The bot misses ``said``; the client then rephrases (returned), or gives up (None)."""
        rng = self.rng
        fallback = self.scenario.fallback
        if said.slots:  # misheard, but the number is on the screen
            self.given |= said.slots
        draw = rng.random()
        if draw < WRONG_GOAL_SHARE:
            wrong = self.scenario.misheard_as(goal, self.voice)
            if wrong and self.given:  # nor ask for a number the client gave
                wrong = tuple(answer for answer in wrong if not answer[0].asks_for(self.given))
            if wrong:  # else a fallback: a wrong answer must not quote values the client never gave
                step, replies = _pick(rng, wrong)
                self.add(MISS, said, _pick(rng, replies), step.state, goal, mode | GARBLED)
                return self.rephrase(phrases, said)
        if draw < WRONG_GOAL_SHARE + CLARIFY_SHARE:
            reply = _pick(rng, fallback.clarify_voice if self.voice else fallback.clarify)
        else:
            reply = _pick(rng, fallback.reply_voice if self.voice else fallback.reply)
        self.add(MISS, said, reply, fallback.state, goal, mode | GARBLED)
        return self.rephrase(phrases, said)

    def rephrase(self, phrases: tuple[Template, ...], said: Template) -> Template | None:
        """The client says it another way (no greeting now: the conversation is under way), or gives up."""
        if self.rng.random() < GIVE_UP_AFTER_MISS:
            return None
        return _other(self.rng, phrases, said)

    def reply(self, step: Step) -> Template:
        replies = step.reply_voice if self.voice else step.reply
        return replies[int(self.rng.random() * len(replies))]  # _pick, inline: every step's turn draws one

    def offtopic(self) -> None:
        """A one-off phrase the bot cannot place: the file's own fallback lines or the locale's talk."""
        rng = self.rng
        fallback = self.scenario.fallback
        said = _pick(rng, fallback.voice if self.voice else fallback.say) if rng.random() < 0.4 else None
        self.add(OFFTOPIC, said, _pick(rng, fallback.reply_voice if self.voice else fallback.reply), fallback.state)

    def operator(self) -> str:
        """The client asks for a human: transferred, or no one online (then "retry" or "left")."""
        rng = self.rng
        operator = self.scenario.operator
        said = _pick(rng, operator.voice if self.voice else operator.say)
        if rng.random() < OPERATORS_ONLINE and not self.asked_operator:  # none online minutes ago: none now
            self.agent = self.add(SWITCH, said, _pick(rng, operator.switch_reply_voice if self.voice
                                                      else operator.switch_reply), operator.switch_state)
            if self.agent and not self.voice:  # a call goes to a person: the bot logs no more
                self.agent_chat()
            return "transferred"
        self.asked_operator = self.add(NO_OPERATORS, said, _pick(rng, operator.no_operators_reply_voice
                                                                 if self.voice else operator.no_operators_reply),
                                       operator.no_operators_state) or self.asked_operator
        return "retry" if rng.random() < RETRY_AFTER_NO_OPERATORS else "left"

    def agent_chat(self) -> None:
        """Queue, then greet -> identify -> act -> close: each a client line and the agent's answer to it. The acts
        move the matter on (told -> working / try -> done or escalated); the client's lines fit where it stands,
        and the chat closes only once it is settled."""
        rng = self.rng
        operator = self.scenario.operator
        wait = min(7200.0, QUEUE_MEDIAN * math.exp(rng.gauss(0.0, QUEUE_SIGMA)))
        switched = self.now
        joined = switched + int(wait)
        lines = list(operator.waiting)
        for number in range(min(3, int(wait // 150))):  # the client asks whether anyone is there
            line = lines.pop(int(rng.random() * len(lines)))
            self.add_at(switched + int((wait - 30) * (number + 1) / 4) + int(rng.random() * 20), WAITING, line,
                        None, "")
        goal = self.goal or self.concern  # a client who asked for a human straight away tells the agent
        known = self.known_identity(operator)
        state = "told" if self.goal is not None else "new"
        greet, last = _pick(rng, known or _plain_greetings(operator.phase_turns("greet", goal.name), state))
        if not self.add_at(max(joined, self.now + 1), AGENT, _pick(rng, greet.client or _greeting_lines(operator)),
                           last, ""):
            return
        self.agent_said = last
        spoken = {id(last)}
        if not known and not self.agent_exchange(_pick(rng, operator.phase_turns("identify", goal.name)), spoken):
            return  # (an agent who has what finds the client skips identifying them)
        state = self.act(goal, state, spoken)
        if not state:
            return
        finished = (self.continuing or rng.random() < FINISHED_SHARE) and self.add_at(
            self.now + 5 + int(rng.expovariate(1 / 60)), FINISHED, None, _pick(rng, operator.finished_reply),
            operator.finished_state)
        labels = self.scenario.labels
        if finished and state in SATISFIED and rng.random() < SATISFACTION_SHARE and labels.satisfied:
            self.outcome = "satisfied" if rng.random() < SATISFIED[state] or not labels.unsatisfied else "unsatisfied"

    def known_identity(self, operator: Operator) -> tuple[tuple[OperatorTurn, Template], ...]:
        """The greetings that quote what the client already gave to be found (an order number): an agent who
        has it does not ask for it. Empty when the client gave none, or the file has no such greeting."""
        if not self.given:
            return ()
        return tuple((turn, line) for turn in operator.phase_turns("greet", "") for line in turn.agent
                     if line.slots and self.given.issuperset(line.slots))

    def act(self, goal: Goal, state: str, spoken: set[int]) -> str:
        """The exchanges about the matter until it is settled, maybe one more ask, maybe a close: the state it
        ends in ("" when the day ran out)."""
        rng = self.rng
        for number in range(ACT_LIMIT):
            if state in SETTLED or not state:
                break
            said = _pick(rng, goal.steps[goal.entries[0]].say) if state == "new" else None  # the client tells it
            state = self.exchange("act", goal, state, spoken, said, settle=number == ACT_LIMIT - 1)
        if state in SETTLED and rng.random() < FOLLOW_UP_AFTER_SETTLED:
            state = self.exchange("act", goal, state, spoken)
        if state in SETTLED and rng.random() < CLOSE_SHARE:
            self.exchange("close", goal, state, spoken)
        return state

    def exchange(self, phase: str, goal: Goal, state: str, spoken: set[int], said: Template | None = None,
                 settle: bool = False) -> str:
        """One act or close exchange that fits ``state``: the state it leaves ("" when the day ran out)."""
        turn = self.matter_turn(phase, goal, state, spoken, settle)
        if turn is None:
            return state
        if not self.agent_exchange(turn, spoken, said, farewell=phase == "close"):
            return ""
        return turn.leads or state

    def matter_turn(self, phase: str, goal: Goal, state: str, spoken: set[int],
                    settle: bool = False) -> OperatorTurn | None:
        """An act or close turn that fits after ``state`` and has an agent line not said yet: the goal's own
        now and then, else one for any goal. ``settle``: one that settles the matter when there is one."""
        operator = self.scenario.operator
        own, generic = operator.matter_turns(phase, goal.name, "told" if state == "new" else state)
        if state == "new":  # the goal's own first answers fit the client's telling; else what fits any telling
            generic = operator.matter_turns(phase, goal.name, "new")[1]
        own = tuple(turn for turn in own if _fresh(turn, spoken)) if own else own
        generic = tuple(turn for turn in generic if _fresh(turn, spoken))
        turns = own if own and (self.rng.random() < OWN_TURN_SHARE or not generic) else generic
        if settle:
            turns = tuple(turn for turn in turns if turn.leads in SETTLED) or turns
        return _pick(self.rng, turns) if turns else None

    def agent_exchange(self, turn: OperatorTurn, spoken: set[int], said: Template | None = None,
                       farewell: bool = False) -> bool:
        """One client line of ``turn`` (or ``said``) and the agent's answer to it, a line not said yet; False when
        the day's file is written."""
        rng = self.rng
        line = _pick(rng, tuple(line for line in turn.agent if id(line) not in spoken) or turn.agent)
        spoken.add(id(line))
        if said is None:
            fitting = _fitting(turn.client, self.agent_said, self.scenario.locale)
            said = _pick(rng, tuple(phrase for phrase in fitting if id(phrase) not in spoken) or fitting)
            spoken.add(id(said))
        if said.slots:
            self.given |= said.slots
        gap = len(said.male) / 4 + AGENT_MEDIAN * math.exp(rng.gauss(0.0, AGENT_SIGMA))
        self.agent_said = line
        return self.add_at(self.now + 2 + int(gap), AGENT, said, line, "", mode=FAREWELL if farewell else 0)

    # -- timing ----------------------------------------------------------------------------------------------

    def add(self, kind: int, say: Template | None, reply: Template | None, state: str, goal: Goal | None = None,
            mode: int = 0) -> bool:
        if not self.turns:
            return self.add_at(self.now, kind, say, reply, state, goal, mode)
        return self.add_at(self.now + self.gap(kind, say, mode), kind, say, reply, state, goal, mode)

    def gap(self, kind: int, say: Template | None, mode: int) -> int:
        """Seconds from the previous turn: read (or hear) the reply, then type (or say) the phrase."""
        rng = self.rng
        said = len(say.male) if say is not None else 0
        if self.voice:
            return int(self.last_reply / 14 + said / 12 + 0.6 + rng.random() * 1.5) if kind != HANGUP \
                else int(1 + rng.random() * 4)
        if kind != START and rng.random() < LONG_PAUSE_SHARE and kind not in (HANGUP, FINISHED):
            self.greeting = True
            return 600 + int(rng.expovariate(1 / 3000))
        typing = 1.5 if mode & TAP else said / 4.5
        return int(2 + self.last_reply / 30 + typing + math.exp(rng.gauss(1.1, 0.7)))

    def add_at(self, moment: int, kind: int, say: Template | None, reply: Template | None, state: str,
               goal: Goal | None = None, mode: int = 0) -> bool:
        """Append a turn at ``moment``; False (and nothing added) when the day's file is already written."""
        if moment <= self.last_moment:
            moment = self.last_moment + 1
        if moment >= self.limit:
            self.limit = -1  # nothing after this turn fits either
            return False
        if say is not None or kind == OFFTOPIC:
            if self.greeting:
                mode |= GREETING
                self.greeting = False
            self.client_turns += 1
        self.turns.append(_new_turn((kind, moment, say, reply, state, goal, mode)))
        self.times.append(moment)
        self.now = self.last_moment = moment
        self.last_reply = len(reply.male) if reply is not None else 0
        return True

    def script(self) -> Script:
        return Script(tuple(self.turns), tuple(self.times), self.label(), self.goal)

    def label(self) -> str:
        if self.agent:
            return self.outcome if self.outcome in ("satisfied", "unsatisfied") else "transferred"
        if self.asked_operator and self.outcome != "done":
            return "no_operators"
        return self.outcome


def _related(goal: Goal, entries: list[int], said: set[str]) -> list[int]:
    """Entry steps that ask something else than the steps said: not said, not in their state, and not leading
    where they lead (two ways to open the same ask, "track my parcel" and "track 1Z...", are one question)."""
    steps = goal.steps
    done = [step for step in steps if step.name in said]
    states = {step.state for step in done}
    onward = {target for step in done for target in step.next}
    return [entry for entry in entries if steps[entry].name not in said and steps[entry].state not in states
            and entry not in onward and not onward.intersection(steps[entry].next)]


def _fitting(lines: tuple[Template, ...], last: Template | None, locale: str) -> tuple[Template, ...]:
    """The client's lines that fit after the agent's ``last`` one: a bare "ok" or "yes" only after a question."""
    if last is not None and "?" in last.male:
        return lines
    return _NOT_BARE.get(lines, lambda: tuple(line for line in lines if not is_bare_answer(line.male, locale))
                         or lines)


_NOT_BARE: ByIdentity[tuple[Template, ...]] = ByIdentity()
"""Agent-chat lines without the bare answers, per tuple of lines: every agent chat filters the same few."""


def _fresh(turn: OperatorTurn, spoken: set[int]) -> bool:
    """No line of the turn said yet in this chat: a client does not ask the same twice, nor an agent repeat."""
    return spoken.isdisjoint(map(id, turn.agent))


def _plain_greetings(turns: tuple[OperatorTurn, ...], state: str) -> tuple[tuple[OperatorTurn, Template], ...]:
    """The greetings that fit a chat whose matter is ``state`` and quote nothing the client gives (kept per tuple
    of turns, as ``_fitting`` keeps its)."""
    return _PLAIN.get(turns, lambda: tuple((turn, line) for turn in turns if state in turn.after
                                           for line in turn.agent if not line.slots), state)


_PLAIN: ByIdentity[tuple[tuple[OperatorTurn, Template], ...]] = ByIdentity()


def _greeting_lines(operator: Operator) -> tuple[Template, ...]:
    """What a client writes that an agent's greeting answers ("hello?", "hi"): every greet turn's client lines."""
    return _GREETINGS.get(operator, lambda: tuple(line for turn in operator.phase_turns("greet", "")
                                                  for line in turn.client) or operator.waiting)


_GREETINGS: ByIdentity[tuple[Template, ...]] = ByIdentity()


def _other(rng: Random, phrases: tuple[Template, ...], said: Template) -> Template:
    """Another phrase of the same step (the client rephrases), or the same one when there is only one."""
    others = [phrase for phrase in phrases if phrase is not said]
    return _pick(rng, others) if others else said
