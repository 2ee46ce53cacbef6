"""Updates of different people side by side, one person's strictly in turn (handlers/telegram/ordering.py)."""

from __future__ import annotations

import asyncio

from telegram import Update

from handlers.telegram.ordering import OnePersonAtATime, updates_at_once


def message_from(update_id: int, user_id: int) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": "x"}
    chat = {"id": user_id, "type": "private"}
    return Update.de_json(
        {"update_id": update_id, "message": {"message_id": update_id, "date": 0, "chat": chat, "from": user}}, None
    )


async def test_one_persons_updates_in_turn_and_different_peoples_side_by_side() -> None:
    processor = OnePersonAtATime(8)
    log: list[str] = []
    release = asyncio.Event()

    async def handle(name: str, wait: bool) -> None:
        log.append(f"{name} begins")
        if wait:
            await release.wait()
        log.append(f"{name} ends")

    first = asyncio.create_task(processor.process_update(message_from(1, 7), handle("7a", True)))
    second = asyncio.create_task(processor.process_update(message_from(2, 7), handle("7b", False)))
    other = asyncio.create_task(processor.process_update(message_from(3, 8), handle("8a", False)))
    await other  # another person's update is not held up by person 7's
    assert log == ["7a begins", "8a begins", "8a ends"]
    release.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["7a ends", "7b begins", "7b ends"]  # 7's second began only after the first ended
    assert processor._turns == {}  # no lock kept for people with nothing in hand


async def test_a_failing_update_frees_the_persons_turn() -> None:
    processor = OnePersonAtATime(4)

    async def fail() -> None:
        raise RuntimeError("boom")

    async def succeed() -> str:
        return "ok"

    failed = asyncio.create_task(processor.process_update(message_from(1, 7), fail()))
    await asyncio.gather(failed, return_exceptions=True)
    await asyncio.wait_for(processor.process_update(message_from(2, 7), succeed()), 1)
    assert processor._turns == {}


def test_side_by_side_except_for_a_database_in_memory() -> None:
    assert updates_at_once("postgresql+asyncpg://u@h/db") > updates_at_once("sqlite+aiosqlite:///talkledger.db") > 1
    assert updates_at_once("sqlite+aiosqlite://") == updates_at_once("sqlite+aiosqlite:///:memory:") == 1
