"""JAICP identifiers and values: plain functions of a ``random.Random``, and a Faker provider over them.

The session generator calls the functions with its own per-session RNG (fast, and stable across Faker
releases). ``JaicpProvider`` exposes the same functions the Faker way::

    fake = Faker("ru_RU"); fake.add_provider(JaicpProvider)
    fake.jaicp_client_id("telegram")
"""

from __future__ import annotations

import hashlib
import string
import uuid
from random import Random

from faker.providers import BaseProvider

from generators.channels import CHANNEL_IDS, CHANNELS, CHANNELS_BY_ID
from generators.model import stable_int
from generators.pools import load_pools
from generators.scenarios import DOMAINS, load_scenario
from generators.text import Facts

_UPPER_DIGITS = string.ascii_uppercase + string.digits
_BASE64 = string.ascii_letters + string.digits + "+/"
_LOWER_DIGITS = string.ascii_lowercase + string.digits
_HEX = "0123456789abcdef"


def _draw(rng: Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def _digits(rng: Random, low: int, high: int) -> str:
    """A decimal id of low..high digits; the first digit is never 0, as in the platforms' numeric ids."""
    length = rng.randint(low, high)
    return str(rng.randrange(10 ** (length - 1), 10**length))


def _user_id_digits(rng: Random, spec: str) -> str:
    low, _, high = spec.partition("-")
    return _digits(rng, int(low), int(high or low))


USER_ID_SHAPES = {
    "digits": _user_id_digits,
    "hex": lambda rng, spec: _draw(rng, _HEX, int(spec)),
    "base64": lambda rng, spec: _draw(rng, _BASE64, int(spec)) + "==",
    "uuid": lambda rng, spec: random_uuid(rng),
    "alexa": lambda rng, spec: "amzn1.ask.account." + _draw(rng, _UPPER_DIGITS, 40),
    "slack": lambda rng, spec: "U0" + _draw(rng, _UPPER_DIGITS, 9),
    "teams": lambda rng, spec: "29:1" + _draw(rng, string.ascii_letters + string.digits + "-_", 42),
    "wechat": lambda rng, spec: "o" + _draw(rng, string.ascii_letters + string.digits + "-_", 27),
    "mattermost": lambda rng, spec: _draw(rng, _LOWER_DIGITS, 26),
}


def user_id(rng: Random, channel_id: str, locale: str = "en_US") -> str:
    """The client's id inside its channel; a phone number for telephony and phone-based messengers."""
    shape, _, spec = CHANNELS_BY_ID[channel_id].user_id_shape.partition(":")
    if shape == "phone":
        return load_pools(locale).phone_digits(rng)
    return USER_ID_SHAPES[shape](rng, spec)


def project_code(account_id: int, project_name: str) -> str:
    """The 3 letters/digits ending a project's short name, derived so that it is stable."""
    value = stable_int("project-code", account_id, project_name)
    return "".join(_UPPER_DIGITS[(value >> (6 * i)) % len(_UPPER_DIGITS)] for i in range(3))


def project_short_name(account_id: int, project_name: str, code: str | None = None) -> str:
    """``<name>-<accountId>-<3 chars>``, e.g. ``demobot-118460129-XLA``."""
    slug = "".join(char if char.isalnum() else "-" for char in project_name.lower()).strip("-") or "project"
    return f"{slug}-{account_id}-{code or project_code(account_id, project_name)}"


def bot_id(account_id: int, short_name: str, channel_id: str) -> str:
    """``<accountId>-<projectShortName>-<number>``: one bot (channel) of a project."""
    number = 100000 + stable_int("bot", short_name, channel_id) % 900000
    return f"{account_id}-{short_name}-{number}"


def client_id(channel_id: str, channel_bot_id: str, channel_user_id: str) -> str:
    """``<channelType>-<channelBotId>-<userIdInChannel>``, as in the CSV example."""
    return f"{channel_id}-{channel_bot_id}-{channel_user_id}"


_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes
_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def _dashed(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"


def name_based_uuid(text: str) -> str:
    """The first half of an old-style session id: a hash of the client shaped as a UUID, version nibble 5.

    The documented example's variant nibble is not the RFC one: 0-3 rather than 8-b. Built
    from the SHA-1 of ``uuid5`` directly: the same text, without two ``UUID`` objects per session.
    """
    digest = hashlib.sha1(_URL_NAMESPACE + text.encode(), usedforsecurity=False).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-{_VARIANT[digest[16]]}{digest[17:20]}-{digest[20:32]}"


_VARIANT = {digit: f"{int(digit, 16) & 0x3:x}" for digit in "0123456789abcdef"}
"""A hex digit -> its two low bits as a hex digit: the variant nibble of ``name_based_uuid``."""


def random_uuid(rng: Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, without the ``UUID`` object and its checks."""
    return _dashed(f"{(rng.getrandbits(128) & _V4_CLEAR) | _V4_SET:032x}")


def session_id(rng: Random, client: str, style: str = "uuid5") -> str:
    """``<uuid5>.<uuid4>`` (style ``uuid5``) or ``<clientId>.<uuid4>`` (style ``client``)."""
    tail = random_uuid(rng)
    head = client if style == "client" else name_based_uuid(client)
    return f"{head}.{tail}"


class JaicpProvider(BaseProvider):
    """Faker provider of JAICP identifiers, states and phrases; uses the Faker instance's locale and RNG."""

    def _locale(self) -> str:
        """The scenario locale nearest to the Faker instance's: Russian for ru_*, English otherwise.

        A Faker generator keeps no locale of its own; its locale providers carry it as ``__lang__``.
        """
        languages = {str(getattr(provider, "__lang__", "") or "") for provider in self.generator.providers}
        return "ru_RU" if any(language.startswith("ru") for language in languages) else "en_US"

    def jaicp_account_id(self) -> int:
        return self.generator.random.randint(100000, 9999999)

    def jaicp_channel_type(self) -> str:
        rng = self.generator.random
        return rng.choices(CHANNEL_IDS, weights=[channel.weight for channel in CHANNELS])[0]

    def jaicp_channel_display_name(self, channel_type: str | None = None) -> str:
        return CHANNELS_BY_ID[channel_type or self.jaicp_channel_type()].display_name

    def jaicp_project_short_name(self, name: str | None = None, account_id: int | None = None) -> str:
        name = name or self.generator.random.choice(("demobot", "support", "faq", "sales", "helpdesk"))
        return project_short_name(account_id or self.jaicp_account_id(), name)

    def jaicp_bot_id(self, channel_type: str | None = None, account_id: int | None = None) -> str:
        account_id = account_id or self.jaicp_account_id()
        return bot_id(account_id, self.jaicp_project_short_name(account_id=account_id),
                      channel_type or self.jaicp_channel_type())

    def jaicp_user_id(self, channel_type: str | None = None) -> str:
        return user_id(self.generator.random, channel_type or self.jaicp_channel_type(), self._locale())

    def jaicp_client_id(self, channel_type: str | None = None) -> str:
        channel_type = channel_type or self.jaicp_channel_type()
        return client_id(channel_type, self.jaicp_bot_id(channel_type), self.jaicp_user_id(channel_type))

    def jaicp_session_id(self, client: str | None = None, style: str = "uuid5") -> str:
        return session_id(self.generator.random, client or self.jaicp_client_id(), style)

    def jaicp_state(self, domain: str | None = None) -> str:
        rng = self.generator.random
        scenario = load_scenario(domain or rng.choice(DOMAINS), self._locale())
        return rng.choice(rng.choice(scenario.goals).steps).state

    def jaicp_question(self, domain: str | None = None) -> str:
        """A client phrase that opens one of the scenario's goals (the male form where the text is gendered)."""
        rng = self.generator.random
        scenario = load_scenario(domain or rng.choice(DOMAINS), self._locale())
        goal = rng.choice(scenario.goals)
        template = rng.choice(goal.steps[rng.choice(goal.entries)].say)
        facts = Facts(scenario, rng, rng.getrandbits(64), female=False, agent_female=False, utc_offset=0)
        return facts.fill(template, female=False)
