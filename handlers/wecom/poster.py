"""How WeCom posts callbacks: the member's event as XML, encrypted and signed, in the envelope WeCom uses
(ToUserName, Encrypt, AgentID), to the app's URL with msg_signature, timestamp and nonce; a callback not answered
200 within 5 seconds is posted again, three more times. The emulator's half that acts as members."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from handlers.wecom.crypto import WeComCrypto
from handlers.wecom.events import render_xml

ANSWER_WITHIN = 5.0
RETRIES = 3


@dataclass
class PostedCallback:
    query: dict[str, str]
    body: bytes
    plain: str  # the event before encryption, for tests to read
    statuses: list[int | str] = field(default_factory=list)  # one per attempt: HTTP status, "timeout", "error"


class CallbackPoster:
    def __init__(self, crypto: WeComCrypto, agent_id: int, now: Callable[[], float], seed: int = 20251130) -> None:
        self.crypto, self.agent_id, self._now = crypto, agent_id, now
        self.url = ""
        self.posted: list[PostedCallback] = []
        self.drop_next = 0  # faults: lose the next N callbacks (never posted) ...
        self.duplicate_next = 0  # ... or post them twice (a fresh nonce, same event: WeCom's retry after a timeout)
        self.retries, self.answer_within = RETRIES, ANSWER_WITHIN
        self._random = random.Random(seed)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def seal(self, fields: dict[str, str | int]) -> PostedCallback:
        """The event encrypted and signed as WeCom would post it now."""
        plain = render_xml(fields)
        timestamp, nonce = str(int(self._now())), str(self._random.randrange(10**9, 10**10))
        encrypted, signature = self.crypto.encrypt_message(plain, timestamp, nonce, self._random.randbytes(16))
        envelope = render_xml({"ToUserName": self.crypto.receive_id, "Encrypt": encrypted, "AgentID": self.agent_id})
        query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
        return PostedCallback(query, envelope.encode(), plain)

    async def post_event(self, fields: dict[str, str | int]) -> PostedCallback:
        callback = self.seal(fields)
        if self.drop_next > 0:
            self.drop_next -= 1
            callback.statuses.append("dropped")
            self.posted.append(callback)
            return callback
        self.posted.append(callback)
        await self.deliver(callback)
        if self.duplicate_next > 0:
            self.duplicate_next -= 1
            again = self.seal(fields)
            self.posted.append(again)
            await self.deliver(again)
        return callback

    async def deliver(self, callback: PostedCallback) -> int | str:
        """Post it (again: a replay keeps query and body as they were), retrying as WeCom does."""
        if not self.url:
            raise RuntimeError("no callback URL set")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        status: int | str = "error"
        for _ in range(1 + self.retries):
            try:
                async with self._session.post(
                    self.url,
                    params=callback.query,
                    data=callback.body,
                    headers={"Content-Type": "text/xml"},
                    timeout=aiohttp.ClientTimeout(total=self.answer_within),
                ) as response:
                    await response.read()
                    status = response.status
            except TimeoutError:
                status = "timeout"
            except aiohttp.ClientError:
                status = "error"
            callback.statuses.append(status)
            if status == 200:
                break
        return status

    async def replay(self, index: int = -1) -> int | str:
        """Post a callback already sent, byte for byte (a captured request played back)."""
        return await self.deliver(self.posted[index])

    async def verify_url(self) -> tuple[bool, str]:
        """WeCom's check when the URL is saved in the admin console: GET with an encrypted echostr."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        echo = str(self._random.randrange(10**17, 10**18))
        timestamp, nonce = str(int(self._now())), str(self._random.randrange(10**9, 10**10))
        echostr = self.crypto.encrypt(echo, self._random.randbytes(16))
        query = {
            "msg_signature": self.crypto.sign(timestamp, nonce, echostr),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }
        async with self._session.get(self.url, params=query) as response:
            answer = await response.text()
            return response.status == 200 and answer == echo, answer
