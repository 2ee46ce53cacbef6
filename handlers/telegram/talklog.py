"""/log, /resume, /cancel and every answer while a talk is being logged. The flow itself is bot/talks/talklog.py."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.i18n import text
from bot.roster.access import Capability, Viewer
from bot.talks.draft import Reply
from bot.talks.talklog import TalkLog
from handlers.telegram import fallback, items, stats
from handlers.telegram.common import Context, Handlers, answer, gated, load_viewer, refuse_button, say, services
from handlers.telegram.outbox import kick
from handlers.telegram.transfer import download
from storage import talks
from storage.followup import PlanScope

log = logging.getLogger(__name__)


async def send_reply(update: Update, reply: Reply) -> None:
    """The flow's notices, then its question with buttons that name this draft and prompt."""
    for notice in reply.notices:
        await say(update, notice)
    if reply.question:
        buttons = [[(b.label, f"t:{reply.draft_id}:{reply.seq}:{b.action}") for b in row] for row in reply.rows]
        await say(update, reply.question, buttons)


@gated(Capability.LOG)
async def start_log(update: Update, context: Context, viewer: Viewer) -> None:
    found = services(context)
    async with found.sessions.begin() as session:
        current = await TalkLog.active(session, found, viewer)
        if current is not None:
            topic = current.topic or "—"
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(text(viewer.language, "log.button.continue"), callback_data="lg:continue"),
                        InlineKeyboardButton(text(viewer.language, "log.button.new"), callback_data="lg:new"),
                    ]
                ]
            )
            await answer(update, viewer.language, "log.open_draft", topic=topic, markup=keyboard)
            return
        reply = await (await TalkLog.start(session, found, viewer)).ask()
    await send_reply(update, reply)


@gated(Capability.RESUME)
async def resume(update: Update, context: Context, viewer: Viewer) -> None:
    found = services(context)
    zone = found.config.organisation.zone
    async with found.sessions() as session:
        drafts = list(await talks.drafts_of(session, viewer.person_id))[:10]
        labels = []
        for row in drafts:
            flow = TalkLog(session, found, viewer, row)
            updated = row.updated_at.astimezone(zone).strftime("%m-%d %H:%M")
            label = text(
                viewer.language,
                "log.resume_item",
                updated=updated,
                kind=flow.kind or "—",
                people="、".join(await flow.subject_names()) or "—",
                topic=flow.topic or "—",
            )
            labels.append((row.id, label))
    if not labels:
        await answer(update, viewer.language, "log.resume_none")
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"lg:resume:{i}")] for i, label in labels]
    )
    await answer(update, viewer.language, "log.resume_title", markup=keyboard)


@gated(Capability.LOG)
async def choose_draft(update: Update, context: Context, viewer: Viewer) -> None:
    """The buttons of /log (continue or start anew) and /resume (which draft)."""
    query = update.callback_query
    assert query is not None
    found = services(context)
    parts = (query.data or "").split(":")
    discarded = False
    async with found.sessions.begin() as session:
        flow: TalkLog | None = None
        if parts[1:] == ["continue"]:
            flow = await TalkLog.active(session, found, viewer)
        elif parts[1:] == ["new"]:
            flow = await TalkLog.start(session, found, viewer)
        elif len(parts) == 3 and parts[1] == "discard" and parts[2].isdigit():  # the nudge's Discard
            row = await talks.draft_by_id(session, int(parts[2]))
            if row is not None and row.owner_id == viewer.person_id:
                await session.delete(row)
                discarded = True
        elif len(parts) == 3 and parts[1] == "resume" and parts[2].isdigit():
            row = await talks.draft_by_id(session, int(parts[2]))
            if row is not None and row.owner_id == viewer.person_id:
                await talks.deactivate_drafts(session, viewer.person_id)
                row.active = True
                flow = TalkLog(session, found, viewer, row)
        reply = await flow.ask() if flow is not None else None
    if discarded:
        await answer(update, viewer.language, "log.discarded")
        return
    await _after_press(update, viewer, reply)


@gated(Capability.CANCEL)
async def cancel(update: Update, context: Context, viewer: Viewer) -> None:
    found = services(context)
    async with found.sessions.begin() as session:
        flow = await TalkLog.active(session, found, viewer)
        reply = await flow.cancel() if flow is not None else None
    if reply is None:
        await answer(update, viewer.language, "log.nothing_to_cancel")
    else:
        await send_reply(update, reply)


@gated(Capability.LOG)
async def press(update: Update, context: Context, viewer: Viewer) -> None:
    """A button of the flow: t:<draft>:<seq>:<action>. Anything but the current prompt's is stale."""
    query = update.callback_query
    assert query is not None
    _, draft_id, seq, action = ((query.data or "") + ":::").split(":", 3)
    action = action.rstrip(":")
    found = services(context)
    reply = None
    if draft_id.isdigit() and seq.isdigit():
        async with found.sessions.begin() as session:
            flow = await TalkLog.for_button(session, found, viewer, int(draft_id), int(seq))
            if flow is not None:
                reply = await flow.on_button(action)
    if reply is not None and reply.talk_id is not None:
        kick(context, PlanScope(talk_id=reply.talk_id))  # the items just saved go out now
    await _after_press(update, viewer, reply)


async def on_message(update: Update, context: Context) -> None:
    """Anything typed or sent in a private chat: an answer to the draft's question, or for the fallback."""
    message = update.effective_message
    viewer = await load_viewer(update, context)
    if message is None or viewer is None:
        await fallback.unknown_message(update, context)
        return
    found = services(context)
    async with found.reader.connect() as connection:
        awaiting, drafting = await talks.pending(connection, viewer.person_id)
    if awaiting and await items.answer_awaited(update, context, viewer):
        return
    if message.text is not None and not drafting and await _typed_press(update, context, viewer, message.text):
        return
    if not viewer.may(Capability.LOG):
        await fallback.unknown_message(update, context)
        return
    reply = None
    if drafting:
        incoming, content = None, None
        if message.photo or message.document is not None:  # fetch a file only when a draft may keep it
            incoming, content = await download(context, message)
        async with found.sessions.begin() as session:
            flow = await TalkLog.active(session, found, viewer)
            if flow is None:
                reply = None
            elif message.text is not None:
                reply = await flow.on_text(message.text)
            elif incoming is not None:
                reply = await flow.on_file(incoming, content)
            else:
                reply = await flow.on_other()
    if reply is not None:
        await send_reply(update, reply)
    elif message.text is not None and viewer.may(Capability.STATS):
        await stats.ask(update, context, viewer, message.text)
    else:
        await fallback.unknown_message(update, context)


async def _typed_press(update: Update, context: Context, viewer: Viewer, typed: str) -> bool:
    """A button's label typed instead of pressed, where that keyboard waits: the press (a draft's labels are the
    flow's own, see TalkLog.on_text)."""
    return await stats.typed_drill(update, context, viewer, typed) or await items.typed_label(
        update, context, viewer, typed
    )


async def _after_press(update: Update, viewer: Viewer, reply: Reply | None) -> None:
    """Answer a button press: stale when nothing came of it, else take its keyboard off and ask on."""
    query = update.callback_query
    if reply is None or query is None:
        await refuse_button(update, viewer.language, "button.stale")
        return
    await query.answer()
    await _clear_keyboard(query.message)
    await send_reply(update, reply)


async def _clear_keyboard(message: object) -> None:
    """Take the buttons off an answered question, so the chat shows what was chosen. Best effort."""
    if isinstance(message, Message) and message.reply_markup is not None:
        try:
            await message.edit_reply_markup(None)
        except TelegramError as error:
            log.debug("could not clear a keyboard: %s", error)


PRIVATE = filters.ChatType.PRIVATE
HANDLERS: Handlers = [
    CommandHandler("log", start_log),
    CommandHandler("resume", resume),
    CommandHandler("cancel", cancel),
    CallbackQueryHandler(press, pattern=r"^t:"),
    CallbackQueryHandler(choose_draft, pattern=r"^lg:"),
    MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.UpdateType.EDITED, on_message),
]
