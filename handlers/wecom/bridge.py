"""WeCom under the bot's runtime: the Bot API calls the bot makes are carried out in WeCom, and WeCom's callbacks
become the updates the bot reads.

The bot's handlers, inbox, update ordering, outbox and rate limiter are python-telegram-bot's runtime; WeCom plugs
in beneath it, where the wire is. `WeComRequest` stands where the Bot API's HTTP client stands: sendMessage with
buttons becomes a template card (more choices than a card holds: pages, turned here without the bot), an edit of
a card replaces it through its response_code, a document is uploaded and sent as a file, and what WeCom has no
counterpart for (chat actions, command menus, webhooks) is answered as done. `updates` turns a member's message,
button press or menu click into an update. A member is known to the runtime by an account number
(storage/wecom.py).

What is kept in memory: which card a message id stands for and its response_code. After a restart, an edit of an
older card is sent as a new message; a press on it still works (the press brings its own response_code).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock
from handlers.wecom import cards
from handlers.wecom.client import MediaKind, WeComClient
from handlers.wecom.errors import WeComError, WeComPermanentFailure, WeComRetryLater
from handlers.wecom.events import WeComEvent
from storage import wecom as accounts

log = logging.getLogger(__name__)

MEDIA_PATH = "wecom-media/"  # getFile's file_path: the download of that path is media/get
UPDATES_FROM = 2**61  # update ids of WeCom's callbacks, above any Telegram update id
_SAME_SECOND = 2**20  # within one second of CreateTime, a callback's id is its key's hash modulo this
KEEP_CARDS = 20_000  # cards remembered for edits and page turns


@dataclass
class Card:
    """A card the bot sent, as the member sees it."""

    user_id: str
    task_id: str
    text: str
    choices: list[cards.Choice]
    response_code: str  # "" once used: the next change goes as a new message
    page: int = 0


def update_id(event: WeComEvent) -> int:
    """The same for WeCom's retries of one callback (so the inbox takes it once), and in the order of CreateTime."""
    digest = hashlib.sha1("\x1f".join(event.dedup_key).encode()).digest()
    return UPDATES_FROM + event.create_time * _SAME_SECOND + int.from_bytes(digest[:8], "big") % _SAME_SECOND


class WeComBridge:
    def __init__(self, client: WeComClient, engine: AsyncEngine, clock: Clock, *, language: str, bot_name: str):
        self.client, self.engine, self.clock = client, engine, clock
        self.language, self.bot_name = language, bot_name
        self._members: dict[int, str] = {}  # account number → corp UserID
        self._linked: dict[str, int] = {}  # corp UserID → number, once a person is linked to it (no more to look up)
        self._cards: dict[int, Card] = {}  # message id → card
        self._by_task: dict[str, int] = {}  # task_id → message id
        self._pressers: dict[str, int] = {}  # callback query id → account number (answers become messages)
        self._message_ids = itertools.count(int(clock.now().timestamp()))  # new ids after a restart

    # ---- from WeCom: callbacks as updates ----------------------------------------------------------------

    async def update(self, event: WeComEvent) -> dict[str, Any] | None:
        """The update for a member's callback; None for what the bot need not see (entering the app, turning a
        card's page, which is done here)."""
        if event.kind == "button" and (page := cards.page_of(event.event_key)) is not None:
            await self._turn_page(event, page)
            return None
        media = _media(event)
        if event.kind not in ("text", "button", "menu_click") and media is None:
            return None  # entering the app, and events the bot has no use for
        number = self._linked.get(event.user_id)
        if number is None:  # a member not linked yet may be named in the roster since their last message
            async with self.engine.begin() as connection:
                number, linked = await accounts.account_number(connection, event.user_id, self.clock.now())
            if linked:
                self._linked[event.user_id] = number
        self._members[number] = event.user_id
        identity = {"id": number, "is_bot": False, "first_name": event.user_id, "language_code": self.language}
        chat = {"id": number, "type": "private", "first_name": event.user_id}
        found = update_id(event)
        if event.kind == "button":
            message_id = self._by_task.get(event.task_id)
            if message_id is None:  # a card from before a restart: it can still be replaced, by this press's code
                message_id = self._remember(Card(event.user_id, event.task_id, "", [], event.response_code))
            else:
                self._cards[message_id].response_code = event.response_code
            self._pressers[str(found)] = number
            message = {"message_id": message_id, "date": event.create_time, "chat": chat, "text": ""}
            query = {"id": str(found), "from": identity, "chat_instance": str(number), "data": event.event_key}
            return {"update_id": found, "callback_query": {**query, "message": message}}
        message = {"message_id": found - UPDATES_FROM, "date": event.create_time, "chat": chat, "from": identity}
        if media is not None:  # a picture, file, voice note...: as Telegram brings them (handlers answer alike)
            return {"update_id": found, "message": {**message, **media}}
        typed = event.text if event.kind == "text" else event.event_key  # a menu item's key is its command
        message["text"] = typed
        if typed.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(typed.split()[0])}]
        return {"update_id": found, "message": message}

    async def _turn_page(self, event: WeComEvent, page: int) -> None:
        message_id = self._by_task.get(event.task_id)
        card = self._cards.get(message_id) if message_id is not None else None
        if card is None or not card.choices:
            return  # a card from before a restart: its choices are not known here
        card.page, card.response_code = page, ""
        shown = cards.render_card(card.text, card.choices, card.task_id, page)
        await self.client.update_card([card.user_id], event.response_code, shown)

    # ---- to WeCom: the Bot API calls ---------------------------------------------------------------------

    async def call(self, method: str, parameters: dict[str, Any], files: dict[str, Any]) -> object:
        if method == "getMe":
            # PTB reads commands addressed to a username (/help@name); invites know there are no links into a
            # WeCom chat from the services (bot_username "", see app.py).
            return {
                "id": self.client.config.agent_id,
                "is_bot": True,
                "first_name": self.bot_name,
                "username": self.bot_name,
            }
        if method == "sendMessage":
            return await self._send(parameters)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return await self._edit(parameters)
        if method in ("sendDocument", "sendPhoto"):
            return await self._send_file(method, parameters, files)
        if method == "getFile":  # a member's file: fetched with media/get when the bot downloads it
            media_id = str(parameters["file_id"])
            return {"file_id": media_id, "file_unique_id": media_id, "file_path": f"{MEDIA_PATH}{media_id}"}
        if method == "answerCallbackQuery":
            number = self._pressers.pop(str(parameters.get("callback_query_id", "")), None)
            if parameters.get("text") and number is not None:  # no toasts in WeCom: a short message instead
                await self.client.send_text(await self._member(number), str(parameters["text"]))
            return True
        # Chat actions, command menus, webhooks, deletions: nothing in WeCom to do.
        return True

    async def _send(self, parameters: dict[str, Any]) -> dict[str, Any]:
        chat_id, text = int(parameters["chat_id"]), str(parameters.get("text", ""))
        user_id = await self._member(chat_id)
        choices = _choices(parameters.get("reply_markup"))
        if not choices:
            await self.client.send_text(user_id, text)
            return self._message(self._new_id(), chat_id, text)
        preface = cards.card_text(text).preface
        if preface:
            await self.client.send_text(user_id, preface)
        task_id = cards.new_task_id()
        sent = await self.client.send_card(user_id, cards.render_card(text, choices, task_id))
        message_id = self._remember(Card(user_id, task_id, text, choices, sent.response_code))
        return self._message(message_id, chat_id, text)

    async def _edit(self, parameters: dict[str, Any]) -> dict[str, Any] | bool:
        chat_id, message_id = int(parameters["chat_id"]), int(parameters["message_id"])
        card = self._cards.get(message_id)
        choices = _choices(parameters.get("reply_markup"))
        text = str(parameters["text"]) if "text" in parameters else (card.text if card else "")
        if card is None or not card.response_code:
            if "text" not in parameters and not choices:
                return True  # buttons taken off a message that can no longer be changed: nothing to say
            return await self._send({"chat_id": chat_id, "text": text, "reply_markup": parameters.get("reply_markup")})
        code, card.response_code = card.response_code, ""
        if choices and not cards.card_text(text).preface:
            card.text, card.choices, card.page = text, choices, 0
            await self.client.update_card([card.user_id], code, cards.render_card(text, choices, card.task_id))
            return self._message(message_id, chat_id, text)
        # No buttons any more (or too long for a card): the old card greyed out, the new text as a message.
        shown = cards.render_card(card.text or text, card.choices or [("·", "-")], card.task_id, card.page)
        await self.client.update_card([card.user_id], code, cards.pressed_card(shown, "✓"))
        if "text" in parameters or choices:
            return await self._send({"chat_id": chat_id, "text": text, "reply_markup": parameters.get("reply_markup")})
        return self._message(message_id, chat_id, text)

    async def _send_file(self, method: str, parameters: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(parameters["chat_id"])
        user_id = await self._member(chat_id)
        filename, content, _mime = next(iter(files.values()))
        kind: MediaKind = "image" if method == "sendPhoto" else "file"
        media_id = await self.client.upload_media(kind, filename or "file", content)
        caption = str(parameters.get("caption") or "")
        if caption:  # a WeCom file has no caption: the words go just before it
            await self.client.send_text(user_id, caption)
        await self.client.send_file(user_id, media_id)
        message = self._message(self._new_id(), chat_id, "")
        document = {"file_id": media_id, "file_unique_id": media_id, "file_name": filename}
        if method == "sendPhoto":
            message["photo"] = [{**document, "width": 1, "height": 1}]
        else:
            message["document"] = document
        if caption:
            message["caption"] = caption
        return message

    # ---- bookkeeping ----------------------------------------------------------------------------------------

    async def _member(self, number: int) -> str:
        found = self._members.get(number)
        if found is None:
            async with self.engine.connect() as connection:
                found = await accounts.member_of(connection, number)
            if found is None:
                raise WeComPermanentFailure(0, f"account {number} is not a WeCom member's", "message/send")
            self._members[number] = found
        return found

    def _new_id(self) -> int:
        return next(self._message_ids)

    def _remember(self, card: Card) -> int:
        message_id = self._new_id()
        self._cards[message_id], self._by_task[card.task_id] = card, message_id
        while len(self._cards) > KEEP_CARDS:
            oldest = next(iter(self._cards))
            self._by_task.pop(self._cards.pop(oldest).task_id, None)
        return message_id

    def _message(self, message_id: int, chat_id: int, text: str) -> dict[str, Any]:
        bot = {"id": self.client.config.agent_id, "is_bot": True, "first_name": self.bot_name}
        chat = {"id": chat_id, "type": "private"}
        return {
            "message_id": message_id,
            "date": int(self.clock.now().timestamp()),
            "chat": chat,
            "from": bot,
            "text": text,
        }


def _choices(markup: object) -> list[cards.Choice]:
    """The inline keyboard's buttons, row after row, as (label, callback data)."""
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    # A card's keys must differ; buttons with the same data do the same (e.g. a calendar's blank days): one stays.
    found: dict[str, str] = {}
    for button in (b for row in rows for b in row if "callback_data" in b):
        found.setdefault(str(button["callback_data"]), str(button["text"]))
    return [(label, data) for data, label in found.items()]


class WeComRequest(BaseRequest):
    """The bot's Bot API client, carried out in WeCom (see the module's comment). WeCom's errors come back as the
    Bot API's: rate limited → 429 with retry_after (the rate limiter waits), a member out of reach → 403 (the outbox
    gives up on them), anything else → 400."""

    def __init__(self, bridge: WeComBridge) -> None:
        self.bridge = bridge

    @property
    def read_timeout(self) -> float | None:
        return 15.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if MEDIA_PATH in url:  # PTB downloading a file getFile described
            try:
                return 200, await self.bridge.client.download_media(url.rsplit(MEDIA_PATH, 1)[1])
            except WeComError as error:
                return 400, _answer(400, f"Bad Request: WeCom {error}")
        name = url.rsplit("/", 1)[-1]
        parameters = dict(request_data.parameters) if request_data is not None else {}
        files = dict(request_data.multipart_data) if request_data is not None and request_data.contains_files else {}
        try:
            result = await self.bridge.call(name, parameters, files)
        except WeComRetryLater as error:
            wait = max(1, round(error.retry_after))
            return 429, _answer(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        except WeComPermanentFailure as error:
            return 403, _answer(403, f"Forbidden: not reachable in WeCom ({error})")
        except WeComError as error:
            log.warning("WeCom refused %s: %s", name, error)
            return 400, _answer(400, f"Bad Request: WeCom {error}")
        return 200, json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode()


def _answer(code: int, description: str, parameters: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return json.dumps(body).encode()


def _media(event: WeComEvent) -> dict[str, Any] | None:
    """What a member sent other than text, in the Bot API's words; None for anything else."""
    kind, raw = event.raw.get("MsgType", ""), event.raw
    media_id = raw.get("MediaId", "")
    found = {"file_id": media_id, "file_unique_id": media_id}
    if kind == "image":
        return {"photo": [{**found, "width": 0, "height": 0}]}
    if kind == "file":
        return {"document": {**found, "file_name": raw.get("FileName") or "file"}}
    if kind == "voice":
        return {"voice": {**found, "duration": 0}}
    if kind == "video":
        return {"video": {**found, "width": 0, "height": 0, "duration": 0}}
    if kind == "location":
        try:
            return {"location": {"latitude": float(raw["Location_X"]), "longitude": float(raw["Location_Y"])}}
        except (KeyError, ValueError):
            return None
    if kind == "link":  # a shared link reads as its title and address
        return {"text": f"{raw.get('Title', '')}\n{raw.get('Url', '')}".strip()}
    return None
