"""Acting as a member in WeCom, through the WeCom emulator: the same surface as the Telegram ChatUser
(handlers/telegram/transcript.py), so an end-to-end transcript runs unchanged on either messenger.

What the member sees is read back into the Bot API's shape the transcripts expect: a text message as a message, a
card as a message with an inline keyboard (its buttons as WeCom shows them), a card replaced after a press as that
message edited, a file as a document. A press finds the button by its label as WeCom shows it (cut to ten
characters), turning the card's pages as a member would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from handlers.telegram.app import TalkApplication
from handlers.telegram.transcript import find_keyboard
from handlers.wecom import cards
from handlers.wecom.bridge import update_id
from handlers.wecom.emulator import WeComEmulator
from handlers.wecom.events import event_from_xml
from handlers.wecom.poster import PostedCallback

HANDLED_TIMEOUT = 15.0


@dataclass
class WeComChatUser:
    emulator: WeComEmulator
    application: TalkApplication
    user_id: str  # the member's corp UserID
    first_name: str
    language_code: str = "zh-CN"
    replies: list[dict[str, Any]] = field(default_factory=list)
    _seen: int = 0  # records of emulator.sent already read
    _messages: list[dict[str, Any]] = field(default_factory=list)  # as the member's screen shows them
    _by_task: dict[str, dict[str, Any]] = field(default_factory=dict)
    _pending_drop: dict[str, Any] | None = None  # a preface just merged into its card
    _next_id: int = 1

    async def send(self, text: str) -> list[dict[str, Any]]:
        await self.unseen()
        return await self._after(await self.emulator.send_text(self.user_id, text))

    async def send_file(self, kind: str, filename: str, content: bytes, caption: str = "") -> list[dict[str, Any]]:
        """Send a photo or a document (Telegram's words); WeCom has no captions: `caption` follows as a text."""
        await self.unseen()
        sent = await self.emulator.send_media(self.user_id, "image" if kind == "photo" else "file", filename, content)
        replies = await self._after(sent)
        if caption:
            replies = await self.send(caption)
        return replies

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> dict[str, Any]:
        """Press the newest button with this label (on the card `message_id`, if given), turning pages to find it;
        the answer: the short message the bot sent for the press, if any."""
        await self.unseen()
        message, key = self._find(label, data, message_id)
        if key is None and data is not None:  # not on the card: a forged or replayed event
            replies = await self._after(await self.emulator.forge_press(self.user_id, message["task_id"], data))
            return _answer(replies)
        while key is None:  # on another page of the card: turn it as a member would
            forward = [b for b in message["buttons"] if b["text"] == cards.NEXT]
            if not forward:
                raise LookupError(f"no button {label or data!r} on the card")
            await self._after(await self.emulator.press(self.user_id, message["task_id"], forward[0]["key"]))
            message, key = self._find(label, data, message["message_id"])
        replies = await self._after(await self.emulator.press(self.user_id, message["task_id"], key))
        return _answer(replies)

    def _find(self, label: str | None, data: str | None, message_id: int | None) -> tuple[dict[str, Any], str | None]:
        for message in reversed(self._messages):
            if message.get("kind") != "card" or not message["buttons"]:
                continue
            if message_id is not None and message["message_id"] != message_id:
                continue
            for button in message["buttons"]:
                if data is not None and button["key"] == data:
                    return message, button["key"]
                if label is not None and button["text"] in (label, cards.short_label(label)):
                    return message, button["key"]
            if message_id is not None or any(b["text"] == cards.NEXT for b in message["buttons"]):
                return message, None
        raise LookupError(f"no card with a button {label or data!r}")

    async def _after(self, posted: PostedCallback) -> list[dict[str, Any]]:
        event = event_from_xml(posted.plain)
        if not (event.kind == "button" and cards.page_of(event.event_key) is not None):
            handled = self.application.handled_event(update_id(event))
            await asyncio.wait_for(handled.wait(), HANDLED_TIMEOUT)
        self.replies = await self.unseen()
        return self.replies

    async def unseen(self) -> list[dict[str, Any]]:
        """What the bot sent or changed since this member last looked."""
        records = self.emulator.sent.get(self.user_id, [])
        fresh, self._seen = records[self._seen :], len(records)
        changed: list[dict[str, Any]] = []
        for record in fresh:
            message = self._read(record)
            if self._pending_drop is not None:
                changed = [m for m in changed if m is not self._pending_drop]
                self._pending_drop = None
            if message is not None and message not in changed:
                changed.append(message)
        return changed

    def _read(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if record["kind"] == "card_update":
            message = self._by_task.get(record["task_id"])
            if message is None:
                return None
            self._show_card(message, record["card"])
            return message
        message = {"message_id": self._next_id, "from": {"is_bot": True}, "deleted": False}
        self._next_id += 1
        message["kind"] = record["kind"]
        if record["kind"] == "text":
            message["text"] = record["text"]
        elif record["kind"] == "file":
            message["document"] = {"file_name": record["filename"], "file_id": record["media_id"]}
        else:
            self._show_card(message, record["card"])
            previous = self._messages[-1] if self._messages else None
            if previous and previous["kind"] == "text" and _continues(previous["text"], record["card"]):
                # The card's text did not fit on it and came just before: one message, as in Telegram.
                message["text"] = previous["text"]
                self._messages.pop()
                self._pending_drop = previous
            self._by_task[record["card"]["task_id"]] = message
        self._messages.append(message)
        return message

    @staticmethod
    def _show_card(message: dict[str, Any], card: dict[str, Any]) -> None:
        title = card.get("main_title", {}).get("title", "")
        message["text"] = "\n".join(part for part in (title, card.get("sub_title_text", "")) if part)
        message["task_id"] = card["task_id"]
        message["buttons"] = [] if card.get("replace_text") else list(card.get("button_list", []))
        keyboard = [[{"text": b["text"], "callback_data": b["key"]}] for b in message["buttons"]]
        message["reply_markup"] = {"inline_keyboard": keyboard} if keyboard else {}

    async def download(self, file_id: str) -> bytes:
        """A file the bot sent this member."""
        return self.emulator.media[file_id][2]

    async def menu(self) -> list[str]:
        """The commands in the app's menu (WeCom's one menu for every member)."""
        found = self.emulator.menus.get(self.emulator.agent_id, {}).get("button", [])
        items = [sub for top in found for sub in top.get("sub_button", [top])]
        return [str(item["key"]).lstrip("/") for item in items if item.get("type") == "click"]

    @property
    def last_reply(self) -> str:
        return str(self.replies[-1].get("text", "")) if self.replies else ""

    @property
    def reply_texts(self) -> list[str]:
        return [str(message.get("text", "")) for message in self.replies]

    async def bot_messages(self) -> list[dict[str, Any]]:
        await self.unseen()
        return list(self._messages)

    async def keyboard(self, message_id: int | None = None) -> tuple[int, list[list[dict[str, Any]]]] | None:
        """(message id, buttons one per row) of card `message_id`, or of the newest card with buttons; None when it
        has none (a card greyed out after a press). A card's ‹ and › are buttons too."""
        return find_keyboard(await self.bot_messages(), message_id)

    async def buttons(self) -> list[str]:
        for message in reversed(await self.bot_messages()):
            if message.get("buttons"):
                return [button["text"] for button in message["buttons"]]
        return []


def _answer(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """A press's answer as Telegram's callback answer reads: the first text the bot sent for it ("" if none)."""
    return {"text": next((reply["text"] for reply in replies if reply.get("kind") == "text"), "")}


def _continues(preface: str, card: dict[str, Any]) -> bool:
    """Whether a card's short title is the head of the text sent just before it (see cards.card_text)."""
    title = card.get("main_title", {}).get("title", "").removesuffix("…")
    return not card.get("sub_title_text") and bool(title) and preface.strip().startswith(title)
