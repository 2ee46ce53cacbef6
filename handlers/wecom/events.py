"""What a WeCom callback says, typed: the decrypted XML (接收消息与事件) read into a WeComEvent."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["text", "button", "enter_agent", "menu_click", "other"]


class MalformedCallback(ValueError):
    """XML that is not a WeCom callback (or carries a DTD, which WeCom never sends)."""


@dataclass(frozen=True)
class WeComEvent:
    kind: EventKind
    user_id: str  # FromUserName: the member's corp UserID
    create_time: int
    agent_id: int | None
    text: str = ""  # a text message's Content
    event: str = ""  # the raw Event name, for kind "other"
    event_key: str = ""  # the pressed button's key, or the clicked menu item's key
    task_id: str = ""  # the card's task_id (button events)
    response_code: str = ""  # lets the card be replaced once (update_template_card)
    msg_id: str = ""  # messages only; events have none
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def dedup_key(self) -> tuple[str, ...]:
        """Same for WeCom's retries of one callback: MsgId for messages; for events, who, when and what."""
        if self.msg_id:
            return ("msg", self.msg_id)
        return ("event", self.user_id, str(self.create_time), self.event, self.event_key, self.task_id)


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The children of <xml> as text; nested elements (e.g. SelectedItems) are kept as their inner text."""
    data = body.encode() if isinstance(body, str) else body
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise MalformedCallback("DTDs are not accepted")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise MalformedCallback(str(error)) from error
    if root.tag != "xml":
        raise MalformedCallback("root element is not <xml>")
    # Text as it came (a member's spaces are theirs); numbers are read with int(), which allows spaces.
    return {child.tag: (child.text or "") if len(child) == 0 else "".join(child.itertext()) for child in root}


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def event_from_xml(plain: bytes | str) -> WeComEvent:
    raw = parse_xml(plain)
    user_id = raw.get("FromUserName", "")
    if not user_id:
        raise MalformedCallback("no FromUserName")
    msg_type = raw.get("MsgType", "")
    event = raw.get("Event", "")
    kind: EventKind = "other"
    if msg_type == "text":
        kind = "text"
    elif msg_type == "event" and event == "template_card_event":
        kind = "button"
    elif msg_type == "event" and event == "enter_agent":
        kind = "enter_agent"
    elif msg_type == "event" and event == "click":
        kind = "menu_click"
    return WeComEvent(
        kind=kind,
        user_id=user_id,
        create_time=_int(raw.get("CreateTime", "")) or 0,
        agent_id=_int(raw.get("AgentID", "")),
        text=raw.get("Content", "") if kind == "text" else "",
        event=event or msg_type,
        event_key=raw.get("EventKey", ""),
        task_id=raw.get("TaskId", ""),
        response_code=raw.get("ResponseCode", ""),
        msg_id=raw.get("MsgId", ""),
        raw=raw,
    )


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(fields: dict[str, str | int]) -> str:
    """<xml> with text in CDATA and numbers bare, as WeCom writes its callbacks."""
    parts = [
        f"<{key}>{value}</{key}>" if isinstance(value, int) else f"<{key}>{_cdata(value)}</{key}>"
        for key, value in fields.items()
    ]
    return "<xml>" + "".join(parts) + "</xml>"
