"""The assembly: the PTB Application with every handler, on a database, against a Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.config import LANGUAGES, Config
from bot.i18n import text
from bot.lease import Fence, Lease, always
from bot.roster.access import commands_for
from bot.services import Services
from handlers.telegram import admin, fallback, groups, guard, help, items, mytalks, start, stats, talklog
from handlers.telegram import outbox as outbox_handlers
from handlers.telegram.inbox import Inbox
from handlers.telegram.ordering import OnePersonAtATime, updates_at_once
from handlers.telegram.polling import Poller
from handlers.telegram.ratelimit import BotWideLimiter
from handlers.telegram.transport import AiohttpRequest, PatientRequest, RosterFirst, TalkBot
from handlers.telegram.webhook import WebhookServer
from storage.db import STATISTICS_EVERY_SECONDS, open_engine, prepare, refresh_statistics, sessions
from storage.sqlite import on_worker_thread

log = logging.getLogger(__name__)


class TalkApplication(Application):  # type: ignore[type-arg]
    """The PTB Application, recording in the inbox how each update ended, and telling listeners when an update has
    been handled (tests and the sandbox wait on it)."""

    KEEP = 10_000  # the latest handled update ids remembered, for a listener that asks after the fact

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.handled: dict[int, asyncio.Event] = {}  # insertion order: the oldest are dropped first
        self.failed: dict[int, Exception] = {}  # updates whose handler raised, until their handling ends

    def handled_event(self, update_id: int) -> asyncio.Event:
        return self.handled.setdefault(update_id, asyncio.Event())

    async def process_error(
        self, update: object | None, error: Exception, job: Any = None, coroutine: Any = None
    ) -> bool:
        if isinstance(update, Update):
            self.failed[update.update_id] = error
        return await super().process_error(update, error, job, coroutine)

    async def process_update(self, update: object) -> None:
        found: Services | None = self.bot_data.get("services")
        inbox: Inbox | None = self.bot_data.get("inbox")
        hand = inbox.begin(update.update_id) if inbox is not None and isinstance(update, Update) else None
        try:
            if found is None:
                await super().process_update(update)
            else:
                with found.roster.one_version_per_update():
                    await super().process_update(update)
        finally:
            if isinstance(update, Update):
                failure = self.failed.pop(update.update_id, None)
                if inbox is not None and hand is not None:
                    try:
                        await inbox.finish(*hand, failure)
                    except Exception as error:  # noqa: BLE001  the database away: the row stays new, for a retry
                        log.error("could not record how update %s ended: %s", update.update_id, error)
                self.handled_event(update.update_id).set()
                while len(self.handled) > self.KEEP:  # a long-running bot must not keep one per update forever
                    del self.handled[next(iter(self.handled))]


def build_application(
    config: Config, services: Services, *, token: str | None = None, request: BaseRequest | None = None
) -> TalkApplication:
    """The Application with every handler; its Bot API calls go through `request` (WeCom's bridge carries them to
    WeCom), by default to the configured Bot API server."""
    bot = TalkBot(
        token or config.telegram.token,
        base_url=config.telegram.bot_api_url,
        base_file_url=config.telegram.file_api_url,
        # Telegram allows about 30 messages a second a bot: replies and the outbox share that one budget, and
        # replies to strangers wait for everything else.
        rate_limiter=RosterFirst(BotWideLimiter(config.outbox.per_second)),
        request=request or PatientRequest(connection_pool_size=256),
        get_updates_request=AiohttpRequest(),  # PTB wants one; our own loop (handlers/telegram/polling.py) polls
    )
    application = (
        ApplicationBuilder()
        .application_class(TalkApplication)
        .bot(bot)
        .concurrent_updates(OnePersonAtATime(updates_at_once(config.database_url)))
        .updater(None)  # updates come through the inbox: our polling loop or our webhook server
        .build()
    )
    assert isinstance(application, TalkApplication)
    application.bot_data["services"] = services
    application.add_handlers(guard.HANDLERS, group=-1)  # before every other handler
    for module in (start, help, admin, groups, talklog, mytalks, items, stats, fallback):
        application.add_handlers(module.HANDLERS)
    application.add_error_handler(fallback.on_error)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    """After getMe: the bot's username for links, the outbox, the strangers' menu."""
    found: Services = application.bot_data["services"]
    found.roster.close()  # the copy below has a roster cache of its own
    found = dataclasses.replace(found, bot_username=application.bot.username or "")
    application.bot_data["services"] = found
    await found.roster.preload()
    await outbox_handlers.start(application, found)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _refresh_statistics, interval=STATISTICS_EVERY_SECONDS, first=STATISTICS_EVERY_SECONDS, name="statistics"
        )
    await _set_default_commands(application)


async def _refresh_statistics(context: Context) -> None:
    services: Services = context.application.bot_data["services"]
    try:
        with on_worker_thread():
            await refresh_statistics(services.engine)
    except Exception:
        log.exception("refreshing the query planner's statistics failed; tomorrow's run tries again")


async def _set_default_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Strangers' menu: /start alone, in each language (a person's own menu is set per chat)."""
    for language in LANGUAGES:
        commands = [BotCommand(c.value, text(language, f"command.{c.value}")) for c in commands_for(None)]
        await application.bot.set_my_commands(commands, language_code=language.split("-")[0])
    await application.bot.set_my_commands(
        [BotCommand(c.value, text(LANGUAGES[0], f"command.{c.value}")) for c in commands_for(None)]
    )


@asynccontextmanager
async def active(
    config: Config,
    clock: Clock | None = None,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    fence: Fence = always,
) -> AsyncIterator[tuple[TalkApplication, Inbox]]:
    """The bot started on its database, with its inbox (what the last run left unhandled goes first) and outbox;
    the messenger's updates are for the caller to bring into the inbox. Refuses an outdated database schema."""
    engine = open_engine(config.database_url, config.database)
    try:
        await prepare(engine, config.organisation.zone)
        found = Services(config=config, sessions=sessions(engine), clock=clock or SystemClock())
        application = build_application(config, found, token=token, request=request)
        inbox = Inbox(engine, found.clock, config.inbox, fence)
        application.bot_data["inbox"] = inbox
        application.bot_data["fence"] = fence
        async with application, contextlib.AsyncExitStack() as background:
            await _post_init(application)  # PTB calls post_init only from run_polling, which we do not use
            await application.start()
            inbox.application = application
            await inbox.recover()
            background.push_async_callback(_stopped, asyncio.ensure_future(_tidying(inbox)))
            # What start-up built lives as long as the process: out of the collector's full passes, which would
            # otherwise walk it all again and again while the outbox sends (pauses of 0.1-0.3 s, each a lost slot).
            gc.freeze()
            try:
                yield application, inbox
            finally:
                await background.aclose()
                await application.stop()  # handles what is already in the queue first
                application.bot_data["services"].roster.close()
    finally:
        await engine.dispose()


@asynccontextmanager
async def running(
    config: Config,
    clock: Clock | None = None,
    *,
    token: str | None = None,
    poll_timeout: int = 10,
    webhook: WebhookServer | None = None,
    fence: Fence = always,
) -> AsyncIterator[TalkApplication]:
    """The bot active until the block ends: polling its Bot API server, or, given a webhook server, registering
    the webhook and taking updates from it. Nothing is taken from the inbox and nothing sent from the outbox while
    `fence` says this instance may not act (bot/lease.py)."""
    # The intake closes first (polling stops): nothing is taken that is not handled when the bot stops.
    async with (
        active(config, clock, token=token, fence=fence) as (application, inbox),
        contextlib.AsyncExitStack() as intake,
    ):
        if webhook is not None:
            webhook.application, webhook.inbox = application, inbox
            await application.bot.set_webhook(
                url=config.webhook.url,
                secret_token=config.webhook.secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=40,
            )
        else:
            await application.bot.delete_webhook()
            request = AiohttpRequest()
            await request.initialize()
            intake.push_async_callback(request.shutdown)
            poller = Poller(request, config.telegram.bot_api_url, application.bot.token, inbox, poll_timeout, fence)
            intake.push_async_callback(_stopped, asyncio.ensure_future(poller.run()))
        log.info("talkledger is running as @%s", application.bot.username)
        try:
            yield application
        finally:
            if webhook is not None:
                webhook.application = webhook.inbox = None  # new posts get 503 and go to the next active one


TIDY_SECONDS = 2.0  # how soon a dead letter put back by `talkledger inbox retry` is taken up


async def _tidying(inbox: Inbox) -> None:
    while True:
        await asyncio.sleep(TIDY_SECONDS)
        try:
            await inbox.tidy()
        except Exception as error:  # noqa: BLE001  the database away for a moment: next time
            log.warning("could not tidy the inbox: %s", error)


async def _stopped(task: asyncio.Future[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def serve(
    config: Config,
    stop: asyncio.Event,
    *,
    use_webhook: bool,
    clock: Clock | None = None,
    on_active: Callable[[TalkApplication], None] = lambda _: None,
    on_standby: Callable[[], None] = lambda: None,
    activate: Callable[[Fence], AbstractAsyncContextManager[TalkApplication]] | None = None,
) -> None:
    """Run until `stop`: stand by until this instance holds the database lock, then be the active bot until the
    lock is lost (then stand by again) or `stop` is set. `activate` runs the bot in another messenger (WeCom);
    by default it polls Telegram, or takes its webhook."""
    engine = open_engine(config.database_url, config.database)
    lease = Lease(engine, config.database)
    webhook = WebhookServer(config.webhook, engine) if use_webhook else None
    try:
        if webhook is not None:
            await webhook.start()
        if not await lease.try_acquire():
            on_standby()
        while not stop.is_set() and (lease.held or await lease.acquire(stop)):
            bot = (
                activate(lease.confirmed)
                if activate is not None
                else running(config, clock, webhook=webhook, fence=lease.confirmed)
            )
            async with bot as application:
                on_active(application)
                lost = asyncio.ensure_future(lease.lost())
                stopping = asyncio.ensure_future(stop.wait())
                await asyncio.wait([lost, stopping], return_when=asyncio.FIRST_COMPLETED)
                for task in (lost, stopping):
                    task.cancel()
            if not stop.is_set():
                log.error("standing by: the database lock was lost")
    finally:
        if webhook is not None:
            await webhook.stop()
        await lease.release()
        await engine.dispose()


Context = ContextTypes.DEFAULT_TYPE
