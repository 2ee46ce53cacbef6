"""/help, /me and /lang: what everyone enrolled may do."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import LANGUAGES
from bot.i18n import text
from bot.roster import identity
from bot.roster.access import Capability, Viewer, commands_for
from handlers.telegram.common import (
    Context,
    Handlers,
    answer,
    gated,
    refresh_menu,
    refuse_button,
    roles_text,
    say,
    services,
)
from storage import people


@gated(Capability.HELP)
async def show_help(update: Update, context: Context, viewer: Viewer) -> None:
    language = viewer.language
    lines = [text(language, "help.title", name=viewer.name)]
    lines += [
        text(language, "help.line", command=capability.value, description=text(language, f"command.{capability}"))
        for capability in commands_for(viewer)
    ]
    if update.effective_chat is not None:
        await refresh_menu(context, update.effective_chat.id, viewer, language)
        await say(update, "\n".join(lines))


@gated(Capability.ME)
async def show_me(update: Update, context: Context, viewer: Viewer) -> None:
    language = viewer.language
    async with services(context).sessions() as session:
        person = await people.profile(session, viewer.person_id)
    if person is None:
        return
    scoped = [
        text(language, "me.scope", role=text(language, f"role.{grant.role.value}"), scope=grant.scope)
        for grant in viewer.grants
    ]
    await answer(
        update,
        language,
        "me.card",
        name=person.name,
        unit=person.unit_path,
        position=person.position or "—",
        rank_level=person.rank_level,
        roles=("\uff1b" if language == "zh-CN" else "; ").join(scoped) or roles_text(viewer, language),
        language=text(language, "language_name"),
    )


@gated(Capability.LANG)
async def choose_language(update: Update, context: Context, viewer: Viewer) -> None:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(text(code, "language_name"), callback_data=f"lang:{code}") for code in LANGUAGES]]
    )
    await answer(update, viewer.language, "lang.choose", markup=keyboard)


@gated(Capability.LANG)
async def set_language(update: Update, context: Context, viewer: Viewer) -> None:
    query = update.callback_query
    chosen = (query.data or "").partition(":")[2] if query else ""
    if query is None or chosen not in LANGUAGES:
        await refuse_button(update, viewer.language, "button.stale")
        return
    async with services(context).sessions.begin() as session:
        await identity.set_language(session, viewer.person_id, chosen)
    await query.answer()
    await query.edit_message_text(text(chosen, "lang.set"))
    if update.effective_chat is not None:
        updated = Viewer(viewer.person_id, viewer.name, viewer.unit_path, viewer.grants, chosen)
        await refresh_menu(context, update.effective_chat.id, updated, chosen)


HANDLERS: Handlers = [
    CommandHandler("help", show_help),
    CommandHandler("me", show_me),
    CommandHandler("lang", choose_language),
    CallbackQueryHandler(set_language, pattern=r"^lang:"),
]
