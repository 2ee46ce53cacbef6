"""For bench/updates.py --inbox: talkledger with its inbox taken out (updates handed straight to the Application,
nothing stored or marked), to price the inbox. Imported before `handlers.main.main` in the measured process; never in
production."""

from __future__ import annotations

import contextvars
from datetime import UTC, datetime
from typing import Any

from handlers.telegram.inbox import Inbox, InHand

_nobody: contextvars.ContextVar[InHand | None] = contextvars.ContextVar("bench_no_inbox", default=None)


async def accept(self: Inbox, payloads: Any) -> None:
    for payload in payloads:
        await self._hand_over(payload["update_id"], payload)


async def nothing(self: Inbox, *args: Any) -> None:
    return None


def begin(self: Inbox, update_id: int) -> tuple[InHand, contextvars.Token[InHand | None]]:
    return InHand(update_id, datetime.now(UTC)), _nobody.set(None)  # the inbox's own context variable stays unset


Inbox.accept = accept  # type: ignore[method-assign]
Inbox.recover = nothing  # type: ignore[method-assign]
Inbox.tidy = nothing  # type: ignore[method-assign]
Inbox.begin = begin  # type: ignore[method-assign]
Inbox.finish = nothing  # type: ignore[method-assign]
