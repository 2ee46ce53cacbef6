"""WeCom members and the account numbers that stand for them (see WeComAccount)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import WECOM_ACCOUNTS_FROM, Person, WeComAccount
from storage.upsert import insert_for


async def account_number(connection: AsyncConnection, user_id: str, now: datetime) -> tuple[int, bool]:
    """The number for this member, created on first contact, and whether a person is linked to it; a roster person
    with this 企业微信账号 and no account yet is linked to it (no invite needed)."""
    insert = insert_for(connection, WeComAccount).values(user_id=user_id, created_at=now)
    await connection.execute(insert.on_conflict_do_nothing(index_elements=["user_id"]))
    found = await connection.scalar(select(WeComAccount.id).where(WeComAccount.user_id == user_id))
    assert found is not None
    number = WECOM_ACCOUNTS_FROM + found
    await connection.execute(
        update(Person)
        .where(Person.wecom_user_id == user_id, Person.telegram_user_id.is_(None), Person.active.is_(True))
        .values(telegram_user_id=number, updated_at=now)
    )
    linked = await connection.scalar(select(Person.id).where(Person.telegram_user_id == number))
    return number, linked is not None


async def member_of(connection: AsyncConnection, number: int) -> str | None:
    """The corp UserID an account number stands for; None for a number that is not a WeCom member's."""
    if number <= WECOM_ACCOUNTS_FROM:
        return None
    found: str | None = await connection.scalar(
        select(WeComAccount.user_id).where(WeComAccount.id == number - WECOM_ACCOUNTS_FROM)
    )
    return found
