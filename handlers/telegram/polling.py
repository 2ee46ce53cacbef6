"""Polling, our own getUpdates loop: fetch a batch as raw JSON, store it in the inbox, and only then ask for the
next offset (which tells the Bot API it may forget the batch).

PTB's Updater moves the offset before its updates are handled, and parses each update inside its fetch loop, where
one update it cannot parse is fetched again and again forever. Here parsing happens in the inbox, per update: a
failure there is a dead letter and the loop goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlencode

from telegram.request import BaseRequest

from bot.lease import Fence, always
from handlers.telegram.inbox import Inbox

log = logging.getLogger(__name__)
BATCH = 100  # the Bot API's most updates a call
LONGEST_PAUSE = 30.0  # between tries while the Bot API fails
FENCED_PAUSE = 0.5  # between looks at the lease while it is unconfirmed


class Poller:
    def __init__(
        self, request: BaseRequest, bot_api_url: str, token: str, inbox: Inbox, timeout: int, fence: Fence = always
    ) -> None:
        self.request = request
        self.fence = fence
        self.url = f"{bot_api_url}{token}/getUpdates"
        self.inbox = inbox
        self.timeout = timeout
        self.offset = 0  # 0: whatever the Bot API still holds, from the oldest

    async def run(self) -> None:
        """Until cancelled. A failure of the Bot API or of the database is waited out; nothing fetched is confirmed
        before it is stored."""
        pause = 0.0
        while True:
            if not self.fence():  # not confirmed active: fetch nothing (the standby will, once it takes over)
                await asyncio.sleep(FENCED_PAUSE)
                continue
            try:
                batch = await self.fetch()
                if batch:
                    await self.inbox.accept(batch)
                    self.offset = max(update["update_id"] for update in batch) + 1
                pause = 0.0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001  the Bot API or the database away: try again later
                pause = min(LONGEST_PAUSE, max(1.0, pause * 2))
                log.warning("getUpdates: %s; trying again in %.0f s", error, pause)
                await asyncio.sleep(pause)

    async def fetch(self) -> list[dict[str, Any]]:
        """One getUpdates; the updates as JSON objects, each with an integer update_id."""
        query = urlencode({"offset": self.offset, "timeout": self.timeout, "limit": BATCH})
        status, body = await self.request.do_request(
            f"{self.url}?{query}", "POST", read_timeout=self.timeout + 5.0, write_timeout=5.0
        )
        answer = json.loads(body)
        if status == 429 and isinstance(answer, dict):
            wait = float((answer.get("parameters") or {}).get("retry_after") or 1)
            log.warning("getUpdates: told to wait %.0f s", wait)
            await asyncio.sleep(wait)
            return []
        if status != 200 or not isinstance(answer, dict) or answer.get("ok") is not True:
            description = answer.get("description") if isinstance(answer, dict) else None
            raise RuntimeError(f"HTTP {status}: {description or body[:200]!r}")
        found = answer.get("result")
        if not isinstance(found, list):
            raise RuntimeError(f"getUpdates answered {body[:200]!r}")
        updates = [one for one in found if isinstance(one, dict) and type(one.get("update_id")) is int]
        if len(updates) < len(found):  # the Bot API numbers every update: this would be a broken server
            log.error("getUpdates: %d entries without an update id passed over", len(found) - len(updates))
        return updates
