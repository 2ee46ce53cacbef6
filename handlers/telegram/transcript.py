"""Acting as a person in a chat with the bot, through the emulator's control API over HTTP.

Used by the end-to-end tests and by `talkledger try`:
    alice = ChatUser(client, application, user_id=1001, first_name="Alice")
    await alice.send("/start CODE"); await alice.press("确认"); alice.last_reply
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from handlers.telegram.app import TalkApplication

HANDLED_TIMEOUT = 15.0


class EmulatorClient:
    """The control API of a running emulator."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> EmulatorClient:
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()

    async def _call(self, verb: str, path: str, **kwargs: Any) -> Any:
        assert self._http is not None, "use EmulatorClient as an async context manager"
        async with self._http.request(verb, f"{self.base_url}/control/{path}", **kwargs) as response:
            if response.status >= 400:
                raise LookupError(await response.text())
            return await response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await self._call("POST", path, json=body)

    async def get(self, path: str, **query: Any) -> Any:
        return await self._call("GET", path, params={key: str(value) for key, value in query.items()})


@dataclass
class ChatUser:
    client: EmulatorClient
    application: TalkApplication
    user_id: int
    first_name: str
    language_code: str = "zh-CN"
    chat: dict[str, Any] | None = None  # None: the private chat with the bot
    replies: list[dict[str, Any]] = field(default_factory=list)  # what the bot sent or edited after the last action
    _known: dict[int, str] = field(default_factory=dict)  # message id → the text last seen

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"]) if self.chat else self.user_id

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "first_name": self.first_name, "language_code": self.language_code}

    async def send(self, text: str) -> list[dict[str, Any]]:
        """Write `text` and wait until the bot has handled it; the bot's new messages in this chat."""
        await self._catch_up()
        sent = await self.client.post("send", {"user": self.user, "chat": self.chat, "text": text})
        return await self._after(sent["update_id"])

    async def edit(self, message_id: int, text: str) -> list[dict[str, Any]]:
        """Edit a message this person sent, and wait until the bot has handled the edit."""
        await self._catch_up()
        edited = await self.client.post(
            "edit", {"user": self.user, "chat": self.chat, "message_id": message_id, "text": text}
        )
        return await self._after(edited["update_id"])

    async def send_file(self, kind: str, filename: str, content: bytes, caption: str = "") -> list[dict[str, Any]]:
        await self._catch_up()
        sent = await self.client.post(
            "send_file",
            {
                "user": self.user,
                "chat": self.chat,
                "kind": kind,
                "filename": filename,
                "caption": caption,
                "content_base64": base64.b64encode(content).decode(),
            },
        )
        return await self._after(sent["update_id"])

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> dict[str, Any]:
        """Press the newest inline button with this label (or forge `data` on `message_id`); the answer."""
        await self._catch_up()
        pressed = await self.client.post(
            "press",
            {
                "user": self.user,
                "chat_id": self.chat_id,
                "label": label,
                "data": data,
                "message_id": message_id,
            },
        )
        await self._after(pressed["update_id"])
        answer: dict[str, Any] = await self.client.get(f"callbacks/{pressed['callback_query_id']}")
        return answer

    async def _catch_up(self) -> None:
        """What the bot sent on its own since the last action (reminders, say) is not a reply to the next one."""
        await self.unseen()

    async def unseen(self) -> list[dict[str, Any]]:
        """What the bot sent or changed since this person last looked."""
        return await self._collect()

    async def _after(self, update_id: int) -> list[dict[str, Any]]:
        await asyncio.wait_for(self.application.handled_event(update_id).wait(), HANDLED_TIMEOUT)
        self.replies = await self._collect()
        return self.replies

    async def _collect(self) -> list[dict[str, Any]]:
        """Messages new or changed since last looked at."""
        fresh = []
        for message in await self.messages():
            if not message["from"]["is_bot"] or message["deleted"]:
                continue
            # New messages and changed texts are replies; a keyboard taken off an answered question is not.
            shown = str(message.get("text") or message.get("caption") or message["message_id"])
            if self._known.get(message["message_id"]) != shown:
                self._known[message["message_id"]] = shown
                fresh.append(message)
        return fresh

    async def messages(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.client.get("messages", chat_id=self.chat_id)
        return found

    async def bot_messages(self) -> list[dict[str, Any]]:
        return [message for message in await self.messages() if message["from"]["is_bot"] and not message["deleted"]]

    @property
    def last_reply(self) -> str:
        """The text of the last message the bot sent or edited in answer to the last action ("" if none)."""
        return str(self.replies[-1].get("text", "")) if self.replies else ""

    @property
    def reply_texts(self) -> list[str]:
        return [str(message.get("text", "")) for message in self.replies]

    async def buttons(self) -> list[str]:
        """The labels of the newest message with an inline keyboard."""
        found = await self.keyboard()
        return [button["text"] for row in found[1] for button in row] if found else []

    async def keyboard(self, message_id: int | None = None) -> tuple[int, list[list[dict[str, Any]]]] | None:
        """(message id, button rows) of message `message_id`, or of the newest message with an inline keyboard;
        None when that message has no buttons."""
        return find_keyboard(await self.bot_messages(), message_id)

    async def download(self, file_id: str) -> bytes:
        """A file the bot sent, fetched as a client would."""
        file = await self.application.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def menu(self) -> list[str]:
        commands: list[dict[str, str]] = await self.client.get("commands", chat_id=self.chat_id)
        return [command["command"] for command in commands]


def find_keyboard(
    messages: list[dict[str, Any]], message_id: int | None = None
) -> tuple[int, list[list[dict[str, Any]]]] | None:
    """(message id, button rows) of message `message_id` among the bot's `messages`, or of the newest with an inline
    keyboard; None when that message has no buttons."""
    for message in reversed(messages):
        rows = message.get("reply_markup", {}).get("inline_keyboard")
        if message_id is None and rows or message["message_id"] == message_id:
            return (message["message_id"], rows) if rows else None
    return None
