"""The channel catalog: JAICP's channel type ids, their display names and the shape of their user ids.

One table, read by the generators, the CSV reader (which maps display names back to ids) and the validator.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    """The platform's channel type, lower-case as in requests and in client ids."""
    display_name: str
    """How the CSV export writes the channel type by default."""
    user_id_shape: str
    """How a user id looks in this channel; the provider knows each shape (see provider.USER_ID_SHAPES)."""
    voice: bool = False
    """Telephony: every call is a new session, phrases are speech transcripts."""
    weight: int = 1
    """How common the channel is, for picking channels at random."""


CHANNELS: tuple[Channel, ...] = (
    Channel("telegram", "Telegram", "digits:9-10", weight=30),
    Channel("vk", "VK", "digits:8-9", weight=8),
    Channel("facebook", "Facebook", "digits:16", weight=3),
    Channel("instagram", "Instagram", "digits:17", weight=3),
    Channel("viber", "Viber", "base64:22", weight=4),
    Channel("chatwidget", "Chat widget", "uuid", weight=25),
    Channel("chatapi", "Chat API", "uuid", weight=5),
    Channel("resterisk", "Telephony", "phone", voice=True, weight=12),
    Channel("yandex", "Yandex Alice", "hex:64", weight=2),
    Channel("marusia", "Marusia", "hex:64", weight=1),
    Channel("sber", "Sber Salute", "uuid", weight=1),
    Channel("alexa", "Alexa", "alexa", weight=1),
    Channel("slack", "Slack", "slack", weight=1),
    Channel("azure", "Microsoft Teams", "teams", weight=1),
    Channel("wechat", "WeChat", "wechat", weight=1),
    Channel("zendesk", "Zendesk", "digits:12", weight=1),
    Channel("bitrix", "Bitrix24", "digits:5-7", weight=2),
    Channel("jivosite", "Jivo", "digits:7-9", weight=2),
    Channel("webim", "Webim", "hex:32", weight=1),
    Channel("livetex", "LiveTex", "uuid", weight=1),
    Channel("chat2desk", "Chat2Desk", "digits:8-9", weight=1),
    Channel("odnoklassniki", "Odnoklassniki", "digits:12", weight=1),
    Channel("whatsapp", "WhatsApp", "phone", weight=10),
    Channel("edna_platform", "edna", "phone", weight=1),
    Channel("i_digital", "i-Digital", "phone", weight=1),
    Channel("wazzup", "Wazzup", "uuid", weight=1),
    Channel("threads", "Threads", "digits:17", weight=1),
    Channel("mattermost", "Mattermost", "mattermost", weight=1),
    Channel("test_widget", "Test widget", "uuid", weight=1),
)

CHANNELS_BY_ID: dict[str, Channel] = {channel.id: channel for channel in CHANNELS}
CHANNELS_BY_DISPLAY_NAME: dict[str, Channel] = {channel.display_name: channel for channel in CHANNELS}
CHANNEL_IDS: tuple[str, ...] = tuple(CHANNELS_BY_ID)


def channel_from_label(label: str) -> Channel | None:
    """The channel a CSV ``channel_type`` cell names, written as a display name or as an id."""
    return CHANNELS_BY_DISPLAY_NAME.get(label) or CHANNELS_BY_ID.get(label)
