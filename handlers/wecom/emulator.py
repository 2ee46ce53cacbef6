"""A local WeCom server for tests and the sandbox, beside the Bot API emulator (handlers/telegram/emulator.py):
the part of WeCom's server API the bot uses, with its shapes and errcodes, plus a control API that acts as members.

WeCom API:  GET  /cgi-bin/gettoken?corpid=&corpsecret=
            POST /cgi-bin/message/send, /cgi-bin/message/update_template_card, /cgi-bin/menu/create?agentid=
            POST /cgi-bin/media/upload?type=  (multipart, field "media")
Control:    POST /control/send {user, text}  /control/press {user, task_id, key}  /control/enter {user}
                 /control/click_menu {user, key}  /control/replay {index?}  /control/expire_tokens
                 /control/faults {method, errcode, count, errmsg?}  /control/callback_faults {drop?, duplicate?}
                 /control/rate_limit {per_member_per_minute, per_minute}
            GET  /control/sent?user=U   what the app sent that member (texts, cards, files, card updates)
Members act through signed, encrypted callbacks posted to `callback_url` (poster.py), as WeCom does.

Long because it emulates the WeCom API methods the bot uses, with their errcodes, limits and faults, and
acts as members; splitting it would scatter one protocol.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from bot.clock import Clock
from handlers.wecom.crypto import WeComCrypto
from handlers.wecom.poster import CallbackPoster, PostedCallback

TOKEN_TTL = 7200
MEDIA_TYPES = {"image", "voice", "video", "file"}


@dataclass
class Fault:
    method: str  # e.g. "message/send", or "*"
    errcode: int
    count: int
    errmsg: str = "injected"


class WeComApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode, self.errmsg = errcode, errmsg


@dataclass
class WeComEmulator:
    corp_id: str
    secret: str
    agent_id: int
    token: str  # the callback Token (not an access_token)
    encoding_aes_key: str
    clock: Clock | None = None
    callback_url: str = ""
    members: set[str] | None = None  # the app's visible range; None: everyone
    per_member_per_minute: int = 0  # message/send to one member (WeCom: 30); 0: no limit
    per_minute: int = 0  # API calls of any kind; 0: no limit

    sent: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    calls: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # media_id: (type, filename, bytes)
    menus: dict[int, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    token_fetches: int = 0  # gettoken calls answered
    observer: Callable[[dict[str, Any]], None] | None = None  # called with each API call answered (benchmarks)

    def __post_init__(self) -> None:
        self.crypto = WeComCrypto(self.token, self.encoding_aes_key, self.corp_id)
        self.poster = CallbackPoster(self.crypto, self.agent_id, self.now)
        self.poster.url = self.callback_url
        self._tokens: dict[str, float] = {}  # access_token: expiry
        self._ids = itertools.count(1)
        self._cards: dict[tuple[str, str], dict[str, Any]] = {}  # (user, task_id): the card as the member sees it
        self._codes: dict[str, tuple[str, str]] = {}  # unused response_code: (user, task_id)
        self._member_sends: dict[str, deque[float]] = defaultdict(deque)
        self._all_calls: deque[float] = deque()

    def now(self) -> float:
        return self.clock.now().timestamp() if self.clock is not None else time.time()

    def set_callback_url(self, url: str) -> None:
        self.callback_url = self.poster.url = url

    def expire_tokens(self) -> None:
        """Every access_token issued so far expires now (the next call with one is answered 42001)."""
        self._tokens = dict.fromkeys(self._tokens, 0.0)

    def inject(self, method: str, errcode: int, count: int = 1, errmsg: str = "injected") -> None:
        self.faults.append(Fault(method, errcode, count, errmsg))

    # ---- the web application -------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_route("*", "/cgi-bin/{method:.+}", self._api)
        app.router.add_post("/control/{action}", self._control)
        app.router.add_get("/control/sent", self._control_sent)
        return app

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call: dict[str, Any] = {"method": method, "at": self.now(), "errcode": 0}
        self.calls.append(call)
        try:
            self._inject_fault(method)
            self._check_rate(method, None)
            if method == "gettoken":
                answer = self._gettoken(request.query)
            else:
                self._check_token(request.query.get("access_token", ""))
                if method == "media/get":  # the file itself, not JSON
                    _, filename, content = self._media_of(request.query.get("media_id", ""))
                    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
                    return web.Response(body=content, content_type="application/octet-stream", headers=headers)
                answer = await self._method(method, request)
        except WeComApiError as error:
            call["errcode"] = error.errcode
            return web.json_response({"errcode": error.errcode, "errmsg": error.errmsg})
        call["body"] = answer.pop("_body", None)
        if self.observer is not None:
            self.observer(call)
        return web.json_response({"errcode": 0, "errmsg": "ok", **answer})

    def _inject_fault(self, method: str) -> None:
        for fault in self.faults:
            if fault.count > 0 and fault.method in ("*", method):
                fault.count -= 1
                raise WeComApiError(fault.errcode, fault.errmsg)

    def _check_rate(self, method: str, user: str | None) -> None:
        now = self.now()
        windows: list[tuple[deque[float], int]] = []
        if self.per_minute and user is None:
            windows.append((self._all_calls, self.per_minute))
        if self.per_member_per_minute and user is not None:
            windows.append((self._member_sends[user], self.per_member_per_minute))
        for sent, limit in windows:
            while sent and sent[0] <= now - 60:
                sent.popleft()
            if len(sent) >= limit:
                raise WeComApiError(45009, "api freq out of limit")
        for sent, _ in windows:
            sent.append(now)

    def _gettoken(self, query: Any) -> dict[str, Any]:
        if query.get("corpid") != self.corp_id:
            raise WeComApiError(40013, "invalid corpid")
        if query.get("corpsecret") != self.secret:
            raise WeComApiError(40001, "invalid credential")
        self.token_fetches += 1
        now = self.now()
        live = [token for token, expiry in self._tokens.items() if expiry > now]
        if live:  # WeCom hands out the same token while it is valid
            return {"access_token": live[0], "expires_in": int(self._tokens[live[0]] - now)}
        token = f"TOKEN{next(self._ids):06d}"
        self._tokens[token] = now + TOKEN_TTL
        return {"access_token": token, "expires_in": TOKEN_TTL}

    def _check_token(self, token: str) -> None:
        if not token:
            raise WeComApiError(41001, "access_token missing")
        if token not in self._tokens:
            raise WeComApiError(40014, "invalid access_token")
        if self._tokens[token] <= self.now():
            raise WeComApiError(42001, "access_token expired")

    async def _method(self, method: str, request: web.Request) -> dict[str, Any]:
        if method == "media/upload":
            return await self._upload(request)
        body = await request.json()
        if method == "message/send":
            return self._send(body)
        if method == "message/update_template_card":
            return self._update_card(body)
        if method == "menu/create":
            if int(request.query.get("agentid", 0)) != self.agent_id:
                raise WeComApiError(301002, "not allow operate another agent with this accesstoken")
            self._check_menu(body)
            self.menus[self.agent_id] = body
            return {}
        raise WeComApiError(404, f"no such method {method} in the emulator")

    @staticmethod
    def _check_menu(body: dict[str, Any]) -> None:
        """menu/create's limits: 1..3 buttons, each a click with a key of at most 128 bytes or 1..5 sub-buttons."""
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise WeComApiError(40016, "invalid button size")
        for button in buttons:
            subs = button.get("sub_button")
            if subs is not None and not 1 <= len(subs) <= 5:
                raise WeComApiError(40023, "invalid sub button size")
            for item in subs or [button]:
                if not item.get("name"):
                    raise WeComApiError(40018, "invalid button name size")
                if item.get("type") == "click" and not 0 < len(str(item.get("key", "")).encode()) <= 128:
                    raise WeComApiError(40019, "invalid button key size")

    def _receivers(self, users: list[str]) -> tuple[list[str], list[str]]:
        reachable = [user for user in users if self.members is None or user in self.members]
        return reachable, [user for user in users if user not in reachable]

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        if int(body.get("agentid", 0)) != self.agent_id:
            raise WeComApiError(301002, "not allow operate another agent with this accesstoken")
        msgtype = str(body.get("msgtype", ""))
        content = body.get(msgtype)
        if not isinstance(content, dict):
            raise WeComApiError(40008, "invalid message type")
        reachable, invalid = self._receivers([user for user in str(body.get("touser", "")).split("|") if user])
        if not reachable:
            raise WeComApiError(81013, "user & party & tag all invalid")
        for user in reachable:
            self._check_rate("message/send", user)
        msgid = f"MSG{next(self._ids):08d}"
        answer: dict[str, Any] = {"msgid": msgid, "invaliduser": "|".join(invalid), "_body": body}
        if msgtype == "text":
            if len(content.get("content", "").encode()) > 2048:  # WeCom cuts it; tests must never see that
                raise WeComApiError(44004, "text content over 2048 bytes (the emulator refuses what WeCom cuts)")
            record: dict[str, Any] = {"kind": "text", "text": content.get("content", "")}
        elif msgtype == "file":
            if content.get("media_id") not in self.media:
                raise WeComApiError(40007, "invalid media_id")
            _, filename, data = self.media[content["media_id"]]
            record = {"kind": "file", "media_id": content["media_id"], "filename": filename, "content": data}
        elif msgtype == "template_card":
            record = {"kind": "card", "card": self._check_card(content)}
            answer["response_code"] = self._new_code(reachable[0], content["task_id"])
        else:
            raise WeComApiError(40008, "invalid message type")
        for user in reachable:
            self.sent[user].append({**record, "msgid": msgid})
            if msgtype == "template_card":
                self._cards[(user, content["task_id"])] = content
        return answer

    def _check_card(self, card: dict[str, Any]) -> dict[str, Any]:
        buttons = card.get("button_list") or []
        keys = [button.get("key", "") for button in buttons]
        if card.get("card_type") != "button_interaction" or not card.get("task_id"):
            raise WeComApiError(40058, "template_card: only button_interaction cards with a task_id here")
        if not 1 <= len(buttons) <= 6 or len(set(keys)) != len(keys) or any(len(k.encode()) > 1024 for k in keys):
            raise WeComApiError(40058, "button_list: 1..6 buttons, keys unique and at most 1024 bytes")
        if len(str(card["task_id"]).encode()) > 128:
            raise WeComApiError(40058, "task_id over 128 bytes")
        return card

    def _new_code(self, user: str, task_id: str) -> str:
        code = f"RC{next(self._ids):08d}"
        self._codes[code] = (user, task_id)
        return code

    def _update_card(self, body: dict[str, Any]) -> dict[str, Any]:
        code = str(body.get("response_code", ""))
        if code not in self._codes:  # one use, and only codes WeCom handed out
            raise WeComApiError(40058, "invalid response_code")
        _, task_id = self._codes.pop(code)
        reachable, invalid = self._receivers(list(body.get("userids") or []))
        card = body.get("template_card") or {}
        for user in reachable:
            if (user, task_id) in self._cards:
                self._cards[(user, task_id)] = {**card, "task_id": task_id}
                self.sent[user].append({"kind": "card_update", "task_id": task_id, "card": card})
        return {"invaliduser": invalid, "_body": body}

    async def _upload(self, request: web.Request) -> dict[str, Any]:
        kind = request.query.get("type", "")
        if kind not in MEDIA_TYPES:
            raise WeComApiError(40004, "invalid media type")
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.name == "media" and part.filename:
                data = bytes(await part.read())
                if len(data) <= 5:
                    raise WeComApiError(40006, "invalid file size")
                media_id = f"MEDIA{next(self._ids):08d}"
                self.media[media_id] = (kind, part.filename, data)
                return {"type": kind, "media_id": media_id, "created_at": str(int(self.now()))}
        raise WeComApiError(41004, "media missing")

    def _media_of(self, media_id: str) -> tuple[str, str, bytes]:
        if media_id not in self.media:
            raise WeComApiError(40007, "invalid media_id")
        return self.media[media_id]

    # ---- members (the control API) ---------------------------------------------------------------------

    def _event(self, user: str, **fields: str | int) -> dict[str, str | int]:
        return {
            "ToUserName": self.corp_id,
            "FromUserName": user,
            "CreateTime": int(self.now()),
            **fields,
            "AgentID": self.agent_id,
        }

    def _msg_id(self) -> str:
        return str(next(self._ids) + 7_000_000_000_000_000_000)  # WeCom's MsgIds are large numbers

    async def send_text(self, user: str, text: str) -> PostedCallback:
        return await self.poster.post_event(self._event(user, MsgType="text", Content=text, MsgId=self._msg_id()))

    async def press(self, user: str, task_id: str, key: str) -> PostedCallback:
        """The member presses the button `key` on the card `task_id` as it now stands on their screen."""
        card = self._cards.get((user, task_id))
        if card is None or card.get("replace_text") or key not in {b.get("key") for b in card["button_list"]}:
            raise LookupError(f"{user} sees no button {key!r} on card {task_id!r}")
        return await self.forge_press(user, task_id, key)

    async def send_media(self, user: str, kind: str, filename: str, content: bytes) -> PostedCallback:
        """The member sends a picture (image), a voice note (voice), a video or a file; the app fetches it with
        media/get by the MediaId in the callback."""
        media_id = f"MEDIA{next(self._ids):08d}"
        self.media[media_id] = (kind, filename, content)
        fields: dict[str, str | int] = {"MsgType": kind, "MediaId": media_id, "MsgId": self._msg_id()}
        if kind == "file":
            fields["FileName"] = filename
        return await self.poster.post_event(self._event(user, **fields))

    async def forge_press(self, user: str, task_id: str, key: str) -> PostedCallback:
        """A button event, whether or not the member's card shows `key`: what a replayed or crafted event would
        bring if it got past the signature (the bot must refuse it as it refuses a forged Telegram button)."""
        fields = self._event(
            user,
            MsgType="event",
            Event="template_card_event",
            EventKey=key,
            TaskId=task_id,
            CardType="button_interaction",
            ResponseCode=self._new_code(user, task_id),
        )
        return await self.poster.post_event(fields)

    async def enter(self, user: str) -> PostedCallback:
        return await self.poster.post_event(self._event(user, MsgType="event", Event="enter_agent", EventKey=""))

    async def click_menu(self, user: str, key: str) -> PostedCallback:
        return await self.poster.post_event(self._event(user, MsgType="event", Event="click", EventKey=key))

    def card(self, user: str, task_id: str) -> dict[str, Any] | None:
        return self._cards.get((user, task_id))

    async def _control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        body = await request.json() if request.can_read_body else {}
        actions: dict[str, Callable[[], Any]] = {
            "send": lambda: self.send_text(body["user"], body["text"]),
            "press": lambda: self.press(body["user"], body["task_id"], body["key"]),
            "enter": lambda: self.enter(body["user"]),
            "click_menu": lambda: self.click_menu(body["user"], body["key"]),
            "replay": lambda: self.poster.replay(int(body.get("index", -1))),
        }
        if action in actions:
            try:
                result = await actions[action]()
            except LookupError as error:
                return web.json_response({"ok": False, "description": str(error)}, status=400)
            statuses = result.statuses if isinstance(result, PostedCallback) else [result]
            return web.json_response({"ok": True, "statuses": statuses})
        if action == "expire_tokens":
            self.expire_tokens()
        elif action == "faults":
            self.inject(
                body.get("method", "*"), int(body["errcode"]), int(body.get("count", 1)), body.get("errmsg", "injected")
            )
        elif action == "callback_faults":
            self.poster.drop_next += int(body.get("drop", 0))
            self.poster.duplicate_next += int(body.get("duplicate", 0))
        elif action == "rate_limit":
            self.per_member_per_minute = int(body.get("per_member_per_minute", 0))
            self.per_minute = int(body.get("per_minute", 0))
        else:
            return web.json_response({"ok": False, "description": f"no control action {action}"}, status=404)
        return web.json_response({"ok": True})

    async def _control_sent(self, request: web.Request) -> web.Response:
        records = self.sent.get(request.query.get("user", ""), [])
        return web.json_response([{k: v for k, v in r.items() if k != "content"} for r in records])


class WeComEmulatorServer:
    """Runs a WeComEmulator on 127.0.0.1; `url` is what the bot's wecom.api_base_url should be."""

    def __init__(self, emulator: WeComEmulator, port: int = 0) -> None:
        self.emulator, self._port = emulator, port
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        self._runner = web.AppRunner(self.emulator.web_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        await self.emulator.poster.close()
        if self._runner is not None:
            await self._runner.cleanup()
