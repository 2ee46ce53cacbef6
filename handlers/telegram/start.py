"""/start and /start <code>: enrollment by invite deep link."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.roster import enrollment, identity
from bot.roster.enrollment import Redemption
from handlers.telegram.common import (
    Context,
    Handlers,
    answer,
    language_for,
    load_viewer,
    refresh_menu,
    refuse_in_group,
    refuse_stranger,
    roles_text,
    services,
)
from handlers.telegram.items import show_open_items
from handlers.telegram.outbox import kick
from storage.followup import PlanScope

CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


async def start(update: Update, context: Context) -> None:
    viewer = await load_viewer(update, context)
    language = language_for(update, context, viewer)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        if viewer is None:
            await refuse_stranger(update, context, language)
        else:
            await refuse_in_group(update, context, language)
        return
    code = context.args[0] if context.args else ""
    if not code or not CODE.match(code):
        if viewer is None:
            await refuse_stranger(update, context, language)
        else:
            await refresh_menu(context, chat.id, viewer, language)
            await answer(update, language, "start.hello_again", name=viewer.name)
        return

    found = services(context)
    async with found.sessions.begin() as session:
        result = await enrollment.redeem_limited(
            session,
            code,
            found.invite_failures,
            telegram_user_id=user.id,
            now=found.clock.now(),
            language=language if viewer is None else None,
        )
        person = result.person
        enrolled = identity.viewer_of(person, found.default_language) if person is not None else None
        position, unit = (person.position, person.unit.path) if person is not None else ("", "")

    if result.outcome is Redemption.REFUSED or enrolled is None:
        if viewer is None:
            await refuse_stranger(update, context, language)
        else:
            # An enrolled person opening a spent link: greet them, reveal nothing about the code.
            await answer(update, language, "start.hello_again", name=viewer.name)
        return
    if result.outcome is Redemption.ALREADY_BOUND:
        await answer(update, language, "start.already_bound", name=enrolled.name)
        return
    await refresh_menu(context, chat.id, enrolled, enrolled.language)
    await answer(
        update,
        enrolled.language,
        "start.welcome",
        name=enrolled.name,
        unit=unit,
        position=position or "—",
        roles=roles_text(enrolled, enrolled.language),
    )
    # Linked after the talk: the items already waiting for them come with the welcome, each with its buttons,
    # and their reminders are planned now. That read follows the enrolment's commit, so with no open item there
    # is nothing to plan: an item saved later is planned by its own confirm, which then sees them enrolled.
    if await show_open_items(update, context, enrolled):
        kick(context, PlanScope(responsible_id=enrolled.person_id))


HANDLERS: Handlers = [CommandHandler("start", start)]
