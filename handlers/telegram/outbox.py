"""The outbox's Telegram side: a Notifier that sends through the bot, and the scheduled sweep."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import time as dt_time
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.followup import calendar_watch, outbox
from bot.followup.items import renderer
from bot.followup.outbox import Buttons, ChatPacing, DispatchStats, Outgoing, SendFailed
from bot.lease import Fence, always
from bot.questions import reports
from bot.services import Services
from bot.talks import draft_watch
from handlers.telegram.common import Context
from handlers.telegram.long_text import message_parts
from handlers.telegram.ratelimit import outbox_send, retry_after_seconds
from handlers.telegram.transport import TalkBot
from storage.followup import EVERY_ITEM, PlanScope
from storage.models import Notification
from storage.sqlite import on_worker_thread

log = logging.getLogger(__name__)

PERMANENT_BAD_REQUESTS = ("chat not found", "user not found", "peer_id_invalid", "bot can't initiate")


class TelegramNotifier:
    def __init__(self, bot: TalkBot, fence: Fence = always) -> None:
        self.bot = bot
        self.fence = fence

    async def send(self, chat_id: int, text: str, buttons: Buttons) -> int:
        if not self.fence():  # the standby may be sending this very row by now
            raise SendFailed("this instance is not confirmed active")
        parts = message_parts(text)
        try:
            with outbox_send():  # a 429 comes back here, counted, rather than being waited out in the limiter
                message_id = await self.bot.send_text(chat_id, parts[0], buttons if len(parts) == 1 else None)
            # A long message's first part is out: a retry of the row would send it again, so a 429 on the rest is
            # waited out in the limiter, as for a reply.
            for n, part in enumerate(parts[1:], start=2):
                message_id = await self.bot.send_text(chat_id, part, buttons if n == len(parts) else None)
        except RetryAfter as error:
            raise SendFailed(str(error), retry_after=retry_after_seconds(error)) from error
        except Forbidden as error:  # blocked by the user, or the account is deactivated
            raise SendFailed(str(error), permanent=True) from error
        except BadRequest as error:
            permanent = any(phrase in str(error).lower() for phrase in PERMANENT_BAD_REQUESTS)
            raise SendFailed(str(error), permanent=permanent) from error
        except (TimedOut, NetworkError) as error:  # includes 5xx answers: try again later
            raise SendFailed(str(error) or type(error).__name__) from error
        except TelegramError as error:
            raise SendFailed(str(error)) from error
        return message_id


class Sweeper:
    """Plans and dispatches the outbox; one sweep at a time per application."""

    def __init__(self, application: Application, services: Services) -> None:  # type: ignore[type-arg]
        config = services.config.outbox
        self.services = services
        self.fence: Fence = application.bot_data.get("fence", always)
        self.notifier: outbox.Notifier = TelegramNotifier(application.bot, self.fence)
        self.pacing = ChatPacing(config.per_chat_per_second)
        self.horizon = timedelta(seconds=max(2 * config.sweep_seconds, 60))
        self._lock = asyncio.Lock()
        self._items = renderer(services)

    async def sweep(self, scope: PlanScope = EVERY_ITEM) -> DispatchStats:
        """Plan (every item's reminders and the reports, or only the reminders of the items in `scope`), then send
        whatever is due."""
        # Planning reads every open item: on SQLite its statements go to a worker thread, so updates go on meanwhile.
        async with self._lock:
            if not self.fence():
                return DispatchStats()  # not confirmed active: the outbox is the active instance's
            with on_worker_thread():
                now = self.services.clock.now()
                await outbox.plan_reminders(self.services, now, self.horizon, scope=scope)
                if scope == EVERY_ITEM:
                    await reports.plan_reports(self.services, now)
                    await calendar_watch.warn(self.services, now)
                    await draft_watch.plan(self.services, now)
                return await outbox.dispatch(
                    self.services, self.notifier, self.pacing, self._render, release_stuck=scope == EVERY_ITEM
                )

    async def _render(self, session: AsyncSession, rows: Sequence[Notification]) -> list[Outgoing]:
        """Reports and the calendar warning are one message each; item notifications are grouped (digests)."""
        items, messages = [], []
        for row in rows:
            single = SINGLE_RENDERERS.get(row.kind)
            if single is None:
                items.append(row)
            elif (message := await single(session, self.services, row)) is not None:
                messages.append(Outgoing([row.id], *message))
        return messages + (await self._items(session, items) if items else [])


SingleRenderer = Callable[[AsyncSession, Services, Notification], Awaitable[tuple[int, str, Buttons] | None]]
SINGLE_RENDERERS: dict[str, SingleRenderer] = {
    "monthly": reports.render,
    "quarterly": reports.render,
    "calendar": calendar_watch.render,
    "draft_nudge": draft_watch.render,
    "draft_expired": draft_watch.render,
}


def sweeper(context: Context) -> Sweeper:
    found: Sweeper = context.application.bot_data["sweeper"]
    return found


async def sweep_job(context: Context) -> None:
    scope = context.job.data if context.job is not None and isinstance(context.job.data, PlanScope) else EVERY_ITEM
    try:
        stats = await sweeper(context).sweep(scope)
        if stats.sent or stats.failed:
            log.info(
                "outbox: %s messages sent (%s rows), %s retried (%s after a 429), %s failed, %s held back",
                stats.sent,
                stats.rows,
                stats.retried,
                stats.throttled,
                stats.failed,
                stats.held,
            )
    except Exception:
        log.exception("outbox sweep failed; the next one tries again")


def kick(context: Context, scope: PlanScope = EVERY_ITEM) -> None:
    """Send what was just planned now rather than at the next sweep (when sweeps are scheduled at all), planning
    only the reminders of the items in `scope` first: the scheduled sweep plans everyone's."""
    found = sweeper(context)
    if found.services.config.outbox.sweep_seconds and context.job_queue is not None:
        context.job_queue.run_once(sweep_job, 0, data=scope)


async def start(application: Application, services: Services) -> None:  # type: ignore[type-arg]
    """At start-up: release what a previous run left claimed, and schedule the sweep."""
    application.bot_data["sweeper"] = Sweeper(application, services)
    released = await outbox.recover(services)
    await calendar_watch.warn(services, services.clock.now(), at_start=True)
    if released:
        log.warning("outbox: %s notifications were in flight when the bot stopped; they go out again", released)
    seconds = services.config.outbox.sweep_seconds
    if seconds and application.job_queue is not None:
        application.job_queue.run_repeating(sweep_job, interval=seconds, first=1, name="outbox")
        # The monthly report's own cron (1st, 09:00 local): a sweep at that minute sends it on the dot. The sweep
        # plans reports by period too, so a run missed while the bot was down still goes out once.
        zone = services.config.organisation.zone
        application.job_queue.run_monthly(sweep_job, when=dt_time(9, 0, tzinfo=zone), day=1, name="reports")
