"""Invites: single-use, expiring codes that bind a messenger account to a person on the roster."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.throttle import Failures
from storage import audit, people
from storage.models import Invite, Person

CODE_BYTES = 16  # 128 bits: not guessable; 22 URL-safe characters fit a deep link's 64
PREFIX = 4  # wrong codes are also counted by their first characters: many accounts trying variants of one code


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def deep_link(bot_username: str | None, code: str) -> str:
    """The invite as a Telegram link; without a username (WeCom has no links into a chat) the line to type."""
    return f"https://t.me/{bot_username}?start={code}" if bot_username else f"/start {code}"


async def create_invite(
    session: AsyncSession,
    person: Person,
    *,
    now: datetime,
    valid_days: int,
    actor: str,
    created_by_id: int | None = None,
) -> tuple[str, datetime]:
    """A new code for `person` and its expiry. Earlier unused codes for them stay valid until they expire."""
    code = secrets.token_urlsafe(CODE_BYTES)
    expires_at = now + timedelta(days=valid_days)
    session.add(
        Invite(
            code_hash=hash_code(code),
            person_id=person.id,
            created_by_id=created_by_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        actor_person_id=created_by_id,
        action="invite.create",
        subject=f"person:{person.id}",
        expires_at=expires_at.isoformat(),
    )
    return code, expires_at


class Redemption(Enum):
    ENROLLED = "enrolled"
    ALREADY_BOUND = "already_bound"  # this account already belongs to someone else on the roster
    REFUSED = "refused"  # invalid, used, expired or for an inactive person: the reply says nothing more


@dataclass(frozen=True)
class RedeemResult:
    outcome: Redemption
    person: Person | None = None
    reason: str = ""  # why a code was refused: unknown, used, expired, inactive, or throttled (not looked at)


async def redeem(
    session: AsyncSession, code: str, *, telegram_user_id: int, language: str | None, now: datetime
) -> RedeemResult:
    invite = await session.scalar(select(Invite).where(Invite.code_hash == hash_code(code)).with_for_update(of=Invite))
    reason = (
        "unknown"
        if invite is None
        else "used"
        if invite.used_at is not None
        else "expired"
        if invite.expires_at <= now
        else "inactive"
        if not invite.person.active
        else None
    )
    if invite is None or reason is not None:
        return RedeemResult(Redemption.REFUSED, reason=reason or "unknown")
    bound = await people.person_by_telegram(session, telegram_user_id)
    if bound is not None and bound.id != invite.person_id:
        return RedeemResult(Redemption.ALREADY_BOUND, bound)
    person = invite.person
    invite.used_at, invite.used_by_telegram_id = now, telegram_user_id
    person.telegram_user_id = telegram_user_id
    if person.language is None and language is not None:
        person.language = language
    person.updated_at = now
    audit.record(
        session,
        at=now,
        actor=f"telegram:{telegram_user_id}",
        actor_person_id=person.id,
        action="invite.redeem",
        subject=f"person:{person.id}",
    )
    return RedeemResult(Redemption.ENROLLED, person)


async def redeem_limited(
    session: AsyncSession,
    code: str,
    failures: Failures,
    *,
    telegram_user_id: int,
    language: str | None,
    now: datetime,
) -> RedeemResult:
    """`redeem`, for an account and a code prefix that have not had their fill of wrong codes; else refused
    without the code being looked at. Each account's burst of refusals is one audit entry, its count kept up."""
    keys = (("account", telegram_user_id), ("prefix", code[:PREFIX]))
    if failures.exhausted(keys, now):
        result = RedeemResult(Redemption.REFUSED, reason="throttled")
    else:
        result = await redeem(session, code, telegram_user_id=telegram_user_id, language=language, now=now)
    if result.outcome is not Redemption.REFUSED:
        return result
    if result.reason != "throttled":
        failures.fail(keys[1], now)
    burst = failures.fail(keys[0], now)
    details = {"attempts": burst.count, "last_at": now.isoformat(), "last_reason": result.reason}
    if burst.audit_id is None or not await audit.update_details(session, burst.audit_id, **details):
        entry = audit.record(session, at=now, actor=f"telegram:{telegram_user_id}", action="invite.refused", **details)
        await session.flush()
        burst.audit_id = entry.id
    return result


async def unbind(
    session: AsyncSession, person: Person, *, now: datetime, actor: str, actor_person_id: int | None = None
) -> bool:
    """Detach the person's messenger account; False if none was bound."""
    if person.telegram_user_id is None:
        return False
    audit.record(
        session,
        at=now,
        actor=actor,
        actor_person_id=actor_person_id,
        action="account.unbind",
        subject=f"person:{person.id}",
        telegram_user_id=person.telegram_user_id,
    )
    person.telegram_user_id = None
    person.updated_at = now
    return True
