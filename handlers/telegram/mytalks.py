"""/mytalks: one's own talks, newest first, paged; open one in full; correct it (see bot/talks/talklog.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.i18n import text
from bot.roster.access import Capability, Viewer
from bot.talks.draft import Draft
from bot.talks.review import describe, may_correct, may_view
from bot.talks.talklog import TalkLog
from handlers.telegram.common import Context, Handlers, gated, refuse_button, say, services
from handlers.telegram.talklog import send_reply
from storage import audit, people, talks
from storage.models import Talk

PAGE_SIZE = 5


async def _page(context: Context, viewer: Viewer, page: int) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """Page `page` (from 0) of one's talks; None when there is no such page (a stale or forged button)."""
    found = services(context)
    zone = found.config.organisation.zone
    language = viewer.language
    async with found.sessions() as session:
        rows, total = await talks.talks_logged_by(session, viewer.person_id, page * PAGE_SIZE, PAGE_SIZE)
    if total == 0:
        return text(language, "mytalks.empty"), None
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    if page >= pages:
        return None
    lines = [text(language, "mytalks.title", total=total, page=page + 1, pages=pages)]
    buttons = []
    for talk in rows:
        line = text(
            language,
            "mytalks.line",
            ledger_no=talk.ledger_no,
            day=f"{talk.held_at.astimezone(zone):%Y-%m-%d}",
            kind=talk.kind,
            topic=talk.topic[:30],
        )
        lines.append(line)
        buttons.append([InlineKeyboardButton(line[:60], callback_data=f"mt:open:{talk.id}")])
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton(text(language, "mytalks.previous"), callback_data=f"mt:page:{page - 1}"))
    if page + 1 < pages:
        navigation.append(InlineKeyboardButton(text(language, "mytalks.next"), callback_data=f"mt:page:{page + 1}"))
    if navigation:
        buttons.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


@gated(Capability.MYTALKS)
async def my_talks(update: Update, context: Context, viewer: Viewer) -> None:
    shown = await _page(context, viewer, 0)
    assert shown is not None  # the first page always exists, if only to say there is nothing
    await say(update, *shown)


@gated(Capability.MYTALKS)
async def press(update: Update, context: Context, viewer: Viewer) -> None:
    query = update.callback_query
    assert query is not None
    _, action, argument = ((query.data or "") + "::").split(":")[:3]
    if not argument.isdigit() or len(argument) > 12:
        await refuse_button(update, viewer.language, "button.stale")
        return
    if action == "page":
        shown = await _page(context, viewer, int(argument))
        if shown is None:
            await refuse_button(update, viewer.language, "button.stale")
            return
        body, markup = shown
        await query.answer()
        await query.edit_message_text(body, reply_markup=markup)
        return
    found = services(context)
    async with found.sessions.begin() as session:
        talk = await talks.talk_by_id(session, int(argument))
        if talk is None or not may_view(viewer, talk):
            talk = None
        elif action == "open":
            body, correctable = await _detail(context, viewer, talk)
            if viewer.person_id not in (talk.logged_by_id, talk.lead_id):
                audit.record(
                    session,
                    at=found.clock.now(),
                    actor_person_id=viewer.person_id,
                    action="talk.view",
                    subject=f"talk:{talk.id}",
                )
            markup = (
                InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                text(viewer.language, "mytalks.correct"), callback_data=f"mt:fix:{talk.id}"
                            )
                        ]
                    ]
                )
                if correctable
                else None
            )
            await query.answer()
            await say(update, body, markup)
            return
        elif action == "fix":
            if not may_correct(viewer, talk, found.clock.now(), found.config.correction_window_days):
                await query.answer(
                    text(viewer.language, "mytalks.window_closed", days=found.config.correction_window_days),
                    show_alert=True,
                )
                return
            reply = await (await TalkLog.start(session, found, viewer, talk)).ask()
        else:
            talk = None
    if talk is None:
        await refuse_button(update, viewer.language, "button.stale")
        return
    await query.answer()
    await send_reply(update, reply)


async def _detail(context: Context, viewer: Viewer, talk: Talk) -> tuple[str, bool]:
    """The talk in full with its corrections, and whether this viewer may correct it now."""
    found = services(context)
    zone = found.config.organisation.zone
    language = viewer.language
    async with found.sessions() as session:
        body = f"{talk.ledger_no}\n" + await describe(session, Draft.from_talk(talk, zone), language, None, talk)
        changes = await talks.changes_of(session, talk.id)
        if changes:
            body += "\n\n" + text(language, "mytalks.history")
            for change in changes:
                actor = await people.person_by_id(session, change.actor_id)
                body += "\n" + text(
                    language,
                    "mytalks.change",
                    at=f"{change.at.astimezone(zone):%Y-%m-%d %H:%M}",
                    actor=actor.name if actor else "—",
                    field=text(language, f"log.field.{change.field}"),
                )
    return body, may_correct(viewer, talk, found.clock.now(), found.config.correction_window_days)


HANDLERS: Handlers = [
    CommandHandler("mytalks", my_talks),
    CallbackQueryHandler(press, pattern=r"^mt:"),
]
