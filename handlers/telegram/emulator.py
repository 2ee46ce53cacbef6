"""A local Bot API server for tests and the sandbox: the subset of Telegram's Bot API the bot uses, with the
real API's shapes, plus a control API that acts as users.

Bot API:   POST/GET /bot<token>/<method>     (JSON, form-encoded or multipart, like api.telegram.org)
           GET /file/bot<token>/<file_path>  (file download)
Control:   POST /control/send       {user, text, chat?}             a user writes (commands get entities)
           POST /control/send_file  {user, kind, filename, content_base64, caption?, chat?}
           POST /control/press      {user, label | data, chat_id?, message_id?}   press an inline button
           POST /control/edit       {user, message_id, text, chat?}  a user edits a message they sent
           POST /control/update     {update}                        any update, as given (hostile shapes)
           GET  /control/messages?chat_id=N     a chat's messages with keyboards and edits
           GET  /control/events?since=N&timeout=S   what the bot did (sent, edited, deleted), long-polled
           GET  /control/callbacks/<id>         how the bot answered a button press
           GET  /control/calls?method=M         the Bot API calls received
           GET  /control/commands?chat_id=N     the command menu in force in that chat
           POST /control/faults     {method, status | "timeout", count, retry_after?, delay?, chat_id?, chance?, skip?}
           POST /control/block      {user_id, blocked}
           POST /control/rate_limit {per_second, per_chat_per_second}

With a webhook set (setWebhook), updates are posted to it, one at a time and in order, with the secret in
X-Telegram-Bot-Api-Secret-Token; one that is not answered 200 is posted again, as Telegram does.

Long because it emulates the Bot API methods the bot uses, with their real shapes, errors, limits and faults;
splitting it would scatter one protocol.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import random
import struct
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import BodyPartReader, web

JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "reply_parameters",
    "link_preview_options",
    "allowed_updates",
    "media",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
SENDING_METHODS = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None, cause: str = "") -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after, self.cause = code, description, retry_after, cause


@dataclass
class Fault:
    method: str  # a Bot API method or "*"
    status: int | str  # an HTTP error code, or "timeout"
    count: int
    description: str = ""
    retry_after: int = 1
    delay: float = 30.0
    chat_id: int | None = None
    chance: float = 1.0  # below 1: each matching call fails with this probability (seeded: runs repeat)
    skip: int = 0  # matching calls let through before the fault starts (the second part of a long message, say)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class Emulator:
    token: str
    bot_username: str = "talkledger_bot"
    bot_name: str = "talkledger"
    # Telegram's limits, enforced when set (0: none): messages a second for the whole bot, and in any one chat
    # (about 1 in a private chat). A message over either is answered 429 with retry_after, as Telegram does.
    per_second: float = 0.0
    per_chat_per_second: float = 0.0

    updates: list[dict[str, Any]] = field(default_factory=list)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    events: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_errors: list[str] = field(default_factory=list)
    observer: Any = None  # called with each Bot API call as it arrives (benchmarks time replies with it)
    received_429: int = 0
    throttled: Counter[str] = field(default_factory=Counter)  # 429s by cause: "bot" (overall), "chat", "fault"
    throttled_chats: Counter[int] = field(default_factory=Counter)  # 429s by chat

    def __post_init__(self) -> None:
        self.bot_id = int(self.token.split(":", 1)[0])
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._new_update = asyncio.Condition()
        self._new_event = asyncio.Condition()
        self._sent_times: deque[float] = deque()
        self._chat_sent_times: dict[int, deque[float]] = defaultdict(deque)
        self._deliverer: asyncio.Task[None] | None = None
        self._chance = random.Random(20251122)

    # ---- the web application -------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_post("/control/send", self._control_send)
        app.router.add_post("/control/send_file", self._control_send_file)
        app.router.add_post("/control/press", self._control_press)
        app.router.add_post("/control/edit", self._control_edit)
        app.router.add_post("/control/update", self._control_update)
        app.router.add_get("/control/messages", self._control_messages)
        app.router.add_get("/control/events", self._control_events)
        app.router.add_get("/control/callbacks/{id}", self._control_callback)
        app.router.add_get("/control/calls", self._control_calls)
        app.router.add_get("/control/commands", self._control_commands)
        app.router.add_post("/control/faults", self._control_faults)
        app.router.add_post("/control/block", self._control_block)
        app.router.add_post("/control/rate_limit", self._control_rate_limit)
        return app

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _bot_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        params, uploads = await _read_params(request)
        call: dict[str, Any] = {"method": method, "params": params, "at": time.time(), "status": 200}
        self.calls.append(call)
        if self.observer is not None:
            self.observer(call)
        try:
            await self._inject_fault(method, params)
            self._check_rate(method, params)
            handler = getattr(self, "api_" + method, None)
            if handler is None:
                raise ApiError(404, "Not Found")
            if method == "getUpdates":
                result = await handler(params)
            else:
                result = handler(params, uploads) if method in ("sendDocument", "sendPhoto") else handler(params)
        except ApiError as error:
            call["status"] = error.code
            if error.code == 429:
                call["cause"] = error.cause or "fault"
                self.received_429 += 1
                self.throttled[error.cause or "fault"] += 1
                if isinstance(params.get("chat_id"), int):
                    self.throttled_chats[params["chat_id"]] += 1
            return _error(error)
        return web.json_response({"ok": True, "result": result})

    async def _inject_fault(self, method: str, params: dict[str, Any]) -> None:
        for fault in self.faults:
            if fault.count <= 0 or fault.method not in ("*", method):
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            if method == "getUpdates" and fault.method == "*":
                continue  # faults on "*" are for the bot's outgoing calls, not its polling
            if fault.chance < 1.0 and self._chance.random() >= fault.chance:
                continue
            if fault.skip > 0:
                fault.skip -= 1
                continue
            fault.count -= 1
            if fault.status == "timeout":
                await asyncio.sleep(fault.delay)
                raise ApiError(504, "Gateway Timeout")
            status = int(fault.status)
            if status == 429:
                raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}", fault.retry_after)
            if status == 403:
                raise ApiError(403, fault.description or "Forbidden: bot was blocked by the user")
            raise ApiError(status, fault.description or "Internal Server Error")

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        if method not in SENDING_METHODS:
            return
        now = time.monotonic()
        chat_id = params.get("chat_id")
        windows: list[tuple[deque[float], float]] = []
        if self.per_second:
            windows.append((self._sent_times, self.per_second))
        if self.per_chat_per_second and isinstance(chat_id, int):
            windows.append((self._chat_sent_times[chat_id], self.per_chat_per_second))
        for (sent, limit), cause in zip(windows, ("bot", "chat") if self.per_second else ("chat",), strict=False):
            while sent and sent[0] <= now - 1.0:
                sent.popleft()
            if len(sent) >= limit:
                raise ApiError(429, "Too Many Requests: retry after 1", 1, cause=cause)
        for sent, _ in windows:
            sent.append(now)

    # ---- Bot API methods -----------------------------------------------------------------------------

    def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    def api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if offset:
            # Confirming: updates below the offset are never sent again, as on Telegram.
            self.updates = [update for update in self.updates if update["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._new_update:
            while not self.updates:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._new_update.wait(), remaining)
                except TimeoutError:
                    break
        return self.updates[:limit]

    def api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = str(params.get("secret_token") or "")
        if self.webhook_url and (self._deliverer is None or self._deliverer.done()):
            self._deliverer = asyncio.get_running_loop().create_task(self._deliver())
        return True

    async def _deliver(self) -> None:
        async with aiohttp.ClientSession() as http:
            while self.webhook_url:
                async with self._new_update:
                    if not self.updates:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._new_update.wait(), 0.5)
                        continue
                update = self.updates[0]
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
                try:
                    async with http.post(
                        self.webhook_url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
                    ) as response:
                        delivered = response.status == 200
                        if not delivered:
                            self.webhook_errors.append(f"{response.status} for update {update['update_id']}")
                except (aiohttp.ClientError, TimeoutError) as error:
                    delivered = False
                    self.webhook_errors.append(f"{type(error).__name__} for update {update['update_id']}")
                if delivered:
                    self.updates = [u for u in self.updates if u["update_id"] != update["update_id"]]
                else:
                    await asyncio.sleep(0.2)  # Telegram waits longer; the standby takes over meanwhile

    def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        return True

    def api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self.updates)}

    def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100 or not all(
            isinstance(command, dict)
            and 1 <= len(command.get("command", "")) <= 32
            and 1 <= len(command.get("description", "")) <= 256
            for command in commands
        ):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[_scope_key(params)] = commands
        return True

    def api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(_scope_key(params), [])

    def api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._bot_message(params, text=text)

    def api_sendDocument(self, params: dict[str, Any], uploads: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        stored = self._store_upload(params, uploads, "document", "documents")
        filename = uploads.get("document", ("file", b""))[0]
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "file_size": len(stored.content),
        }
        return self._bot_message(params, document=document, caption=params.get("caption"))

    def api_sendPhoto(self, params: dict[str, Any], uploads: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
        stored = self._store_upload(params, uploads, "photo", "photos")
        return self._bot_message(params, photo=_photo_sizes(stored), caption=params.get("caption"))

    def api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_owned_message(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        return self._edit(message, text=text, reply_markup=markup)

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_owned_message(params)
        markup = params.get("reply_markup")
        if message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        return self._edit(message, text=message.get("text"), reply_markup=markup)

    def api_deleteMessage(self, params: dict[str, Any]) -> bool:
        message = self._find_message(params)
        message["deleted"] = True
        self._event("deleted", message)
        return True

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query = self.callbacks.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        query.update(answered=True, text=params.get("text"), show_alert=bool(params.get("show_alert")))
        return True

    def api_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat = self._chat(params)
        # Logged with the messages, so a test can see what the person saw while the bot worked.
        self._event("chat_action", {"chat": {"id": chat["id"]}, "action": params.get("action")})
        return True

    # ---- helpers for bot messages --------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat = self._chat(params)
        markup = params.get("reply_markup")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value is not None},
        }
        if markup:
            message["reply_markup"] = markup
        self.messages[chat["id"]].append({**message, "edits": [], "deleted": False})
        self._event("sent", message)
        return message

    def _find_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        for message in self.messages[chat["id"]]:
            if message["message_id"] == params.get("message_id") and not message["deleted"]:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _bot_owned_message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(params)
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _edit(self, message: dict[str, Any], *, text: Any, reply_markup: Any) -> dict[str, Any]:
        message["edits"].append({"text": message.get("text"), "reply_markup": message.get("reply_markup")})
        message["text"] = text
        if reply_markup:
            message["reply_markup"] = reply_markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        self._event("edited", message)
        return _public(message)

    def _store_upload(
        self, params: dict[str, Any], uploads: dict[str, tuple[str, bytes]], name: str, folder: str
    ) -> StoredFile:
        if name in uploads:
            filename, content = uploads[name]
            return self.store_file(content, folder, filename)
        existing = self.files.get(str(params.get(name)))
        if existing is None:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        return existing

    def store_file(self, content: bytes, folder: str, filename: str) -> StoredFile:
        number = next(self._file_ids)
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(f"FILE{number:06d}", f"U{number:06d}", f"{folder}/file_{number}.{suffix}", content)
        self.files[stored.file_id] = stored
        return stored

    def _event(self, kind: str, message: dict[str, Any]) -> None:
        self.events.append({"seq": len(self.events) + 1, "kind": kind, "message": _public(message)})
        asyncio.get_running_loop().create_task(self._notify(self._new_event))

    @staticmethod
    async def _notify(condition: asyncio.Condition) -> None:
        async with condition:
            condition.notify_all()

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        for stored in self.files.values():
            if stored.file_path == request.match_info["path"]:
                return web.Response(body=stored.content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    # ---- the control API: acting as users ------------------------------------------------------------

    def _user_and_chat(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        raw = body.get("user") or {}
        if not isinstance(raw.get("id"), int):
            raise web.HTTPBadRequest(text="user.id (an integer) is required")
        user = {"id": raw["id"], "is_bot": False, "first_name": raw.get("first_name") or f"User{raw['id']}"}
        for key in ("last_name", "username", "language_code"):
            if raw.get(key):
                user[key] = raw[key]
        chat_body = body.get("chat") or {}
        if chat_body.get("type") in ("group", "supergroup"):
            chat = {"id": int(chat_body["id"]), "type": chat_body["type"], "title": chat_body.get("title", "Group")}
        else:
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        self.chats[chat["id"]] = chat
        return user, chat

    async def _push_update(self, update: dict[str, Any]) -> int:
        """Queue an update; numbered here unless it carries its own update_id (one sent again)."""
        update_id = update.get("update_id") or next(self._update_ids)
        self.updates.append({**update, "update_id": update_id})
        await self._notify(self._new_update)
        return update_id

    async def _user_message(self, body: dict[str, Any], **content: Any) -> web.Response:
        user, chat = self._user_and_chat(body)
        message = {
            "message_id": next(self._message_ids[chat["id"]]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        self.messages[chat["id"]].append({**message, "edits": [], "deleted": False})
        update_id = await self._push_update({"message": message})
        return web.json_response({"update_id": update_id, "message": message})

    async def _control_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", ""))
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._user_message(body, **content)

    async def _control_edit(self, request: web.Request) -> web.Response:
        body = await request.json()
        user, chat = self._user_and_chat(body)
        for message in self.messages[chat["id"]]:
            if message["message_id"] == body.get("message_id") and message["from"]["id"] == user["id"]:
                message["edits"].append(message.get("text"))
                message["text"] = str(body.get("text", ""))
                edited = {key: value for key, value in message.items() if key not in ("edits", "deleted")}
                update_id = await self._push_update({"edited_message": {**edited, "edit_date": int(time.time())}})
                return web.json_response({"update_id": update_id})
        raise web.HTTPNotFound(text=f"no message {body.get('message_id')} of user {user['id']} in chat {chat['id']}")

    async def _control_update(self, request: web.Request) -> web.Response:
        body = await request.json()
        update = body.get("update")
        if not isinstance(update, dict):
            raise web.HTTPBadRequest(text="update (an object) is required")
        return web.json_response({"update_id": await self._push_update(update)})

    async def _control_send_file(self, request: web.Request) -> web.Response:
        body = await request.json()
        data = base64.b64decode(body.get("content_base64", ""))
        kind = body.get("kind", "document")
        filename = str(body.get("filename") or "file.bin")
        stored = self.store_file(data, "photos" if kind == "photo" else "documents", filename)
        content: dict[str, Any] = (
            {"photo": _photo_sizes(stored)}
            if kind == "photo"
            else {
                "document": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_name": filename,
                    "file_size": len(data),
                }
            }
        )
        if body.get("caption"):
            content["caption"] = body["caption"]
        return await self._user_message(body, **content)

    async def _control_press(self, request: web.Request) -> web.Response:
        body = await request.json()
        user, chat = self._user_and_chat(body)
        if body.get("chat_id") is not None:
            chat = self.chats.get(int(body["chat_id"]), chat)
        candidates = [
            message
            for message in reversed(self.messages[chat["id"]])
            if not message["deleted"]
            and message.get("reply_markup", {}).get("inline_keyboard")
            and (body.get("message_id") is None or message["message_id"] == body["message_id"])
        ]
        for message in candidates:
            for row in message["reply_markup"]["inline_keyboard"]:
                for button in row:
                    if button.get("text") == body.get("label") or (
                        body.get("label") is None and button.get("callback_data") == body.get("data")
                    ):
                        return await self._press(user, message, str(body.get("data") or button["callback_data"]))
        if body.get("data") is not None and body.get("message_id") is not None:
            # A forged or stale press: data that no current button carries, as a modified client could send.
            for message in self.messages[chat["id"]]:
                if message["message_id"] == body["message_id"] and not message["deleted"]:
                    return await self._press(user, message, str(body["data"]))
        raise web.HTTPNotFound(text=f"no button {body.get('label') or body.get('data')!r} in chat {chat['id']}")

    async def _press(self, user: dict[str, Any], message: dict[str, Any], data: str) -> web.Response:
        query_id = str(next(self._callback_ids) * 7919 + 100000)
        self.callbacks[query_id] = {"answered": False, "text": None, "show_alert": False}
        query = {
            "id": query_id,
            "from": user,
            "message": _public(message),
            "chat_instance": str(message["chat"]["id"]),
            "data": data,
        }
        update_id = await self._push_update({"callback_query": query})
        return web.json_response({"update_id": update_id, "callback_query_id": query_id})

    async def _control_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        return web.json_response([message for message in self.messages.get(chat_id, [])])

    async def _control_events(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        timeout = float(request.query.get("timeout", 0))
        if len(self.events) <= since and timeout > 0:
            async with self._new_event:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_event.wait_for(lambda: len(self.events) > since), timeout)
        return web.json_response(self.events[since:])

    async def _control_callback(self, request: web.Request) -> web.Response:
        query = self.callbacks.get(request.match_info["id"])
        if query is None:
            raise web.HTTPNotFound(text="no such callback query")
        return web.json_response(query)

    async def _control_calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        return web.json_response([call for call in self.calls if method in (None, call["method"])])

    async def _control_commands(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        for key in (json.dumps({"type": "chat", "chat_id": chat_id}, sort_keys=True), _scope_key({})):
            if key in self.commands:
                return web.json_response(self.commands[key])
        return web.json_response([])

    async def _control_faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.faults.append(
            Fault(
                method=body.get("method", "*"),
                status=body.get("status", 500),
                count=int(body.get("count", 1)),
                description=body.get("description", ""),
                retry_after=int(body.get("retry_after", 1)),
                delay=float(body.get("delay", 30.0)),
                chat_id=body.get("chat_id"),
                chance=float(body.get("chance", 1.0)),
                skip=int(body.get("skip", 0)),
            )
        )
        return web.json_response({"ok": True})

    async def _control_block(self, request: web.Request) -> web.Response:
        body = await request.json()
        (self.blocked.add if body.get("blocked", True) else self.blocked.discard)(int(body["user_id"]))
        return web.json_response({"ok": True})

    async def _control_rate_limit(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.per_second = float(body.get("per_second", 0))
        self.per_chat_per_second = float(body.get("per_chat_per_second", 0))
        return web.json_response({"ok": True})


class EmulatorServer:
    """Runs an Emulator on 127.0.0.1; `url` is what the bot's telegram.api_base_url should be."""

    def __init__(self, emulator: Emulator, port: int = 0) -> None:
        self.emulator = emulator
        self._port = port
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        self._runner = web.AppRunner(
            self.emulator.web_app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self.emulator.webhook_url = ""
        if self._runner is not None:
            await self._runner.cleanup()


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key not in ("edits", "deleted")}


def _photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = _png_size(stored.content)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(stored.content),
        }
    ]


def _png_size(content: bytes) -> tuple[int, int]:
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 1, 1


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + (f"|{params['language_code']}" if params.get("language_code") else "")


def _error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Parameters as the Bot API reads them: JSON body, query string, urlencoded or multipart form."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            raw.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            content = await part.read()
            if part.filename:
                uploads[part.name] = (part.filename, bytes(content))
            else:
                raw[part.name] = bytes(content).decode()
    elif request.can_read_body:
        raw.update(await request.post())
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS and isinstance(value, str):
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        if key in INT_FIELDS and isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        params[key] = value
    # A file given as "attach://name" refers to a multipart part of that name.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in uploads:
            uploads[key] = uploads.pop(value[9:])
    return params, uploads
