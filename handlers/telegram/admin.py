"""/invite, /unbind and /roster: keeping the roster's messenger accounts, for admins (and the commission)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.i18n import text
from bot.roster import enrollment
from bot.roster.access import Capability, Viewer
from handlers.telegram.common import (
    Context,
    Handlers,
    answer,
    callback_id,
    gated,
    people_keyboard,
    refuse_button,
    say,
    services,
)
from storage import people
from storage.models import Person

MAX_CHOICES = 10


async def _find_in_scope(
    update: Update, context: Context, viewer: Viewer, capability: Capability, usage_key: str
) -> list[Person] | None:
    """People in the viewer's scope matching the command's argument; None after replying with why not."""
    query = " ".join(context.args or []).strip()
    if not query:
        await answer(update, viewer.language, usage_key)
        return None
    async with services(context).sessions() as session:
        found = list(await people.people_within(session, viewer.scopes(capability), query[:64]))
    if not found:
        await answer(update, viewer.language, "invite.no_match", query=query[:64])
        return None
    return found[:MAX_CHOICES]


async def _person_in_scope(update: Update, context: Context, viewer: Viewer, capability: Capability) -> Person | None:
    """The person a button names, re-authorised: forged or out-of-scope ids get a stale-button notice."""
    person_id = callback_id(update)
    person = None
    if person_id is not None:
        async with services(context).sessions() as session:
            person = await people.person_by_id(session, person_id)
    if person is None or not person.active or not viewer.covers(capability, person.unit.path):
        await refuse_button(update, viewer.language, "button.stale")
        return None
    return person


@gated(Capability.INVITE)
async def invite_command(update: Update, context: Context, viewer: Viewer) -> None:
    found = await _find_in_scope(update, context, viewer, Capability.INVITE, "invite.usage")
    if found is None:
        return
    if len(found) == 1:
        await _send_invite(update, context, viewer, found[0])
    else:
        await answer(
            update,
            viewer.language,
            "invite.pick",
            markup=people_keyboard(found, viewer.language, Capability.INVITE.value),
        )


@gated(Capability.INVITE)
async def invite_button(update: Update, context: Context, viewer: Viewer) -> None:
    person = await _person_in_scope(update, context, viewer, Capability.INVITE)
    if person is not None:
        await _send_invite(update, context, viewer, person)


async def _send_invite(update: Update, context: Context, viewer: Viewer, person: Person) -> None:
    found = services(context)
    days = found.config.invite_valid_days
    async with found.sessions.begin() as session:
        code, _ = await enrollment.create_invite(
            session,
            person,
            now=found.clock.now(),
            valid_days=days,
            actor=f"person:{viewer.person_id}",
            created_by_id=viewer.person_id,
        )
    link = enrollment.deep_link(services(context).bot_username, code)
    if person.telegram_user_id is not None:
        await answer(update, viewer.language, "invite.already_enrolled", name=person.name)
    await answer(update, viewer.language, "invite.link", name=person.name, unit=person.unit.path, days=days, link=link)


@gated(Capability.UNBIND)
async def unbind_command(update: Update, context: Context, viewer: Viewer) -> None:
    found = await _find_in_scope(update, context, viewer, Capability.UNBIND, "unbind.usage")
    if found is None:
        return
    # Always ask by button: unlinking someone is not done on a typed name alone. One match is a yes/no question,
    # not a choice among one.
    key = "unbind.confirm" if len(found) == 1 else "unbind.pick"
    await answer(
        update,
        viewer.language,
        key,
        name=found[0].name,
        unit=found[0].unit.path,
        markup=people_keyboard(found, viewer.language, Capability.UNBIND.value, label="unbind.confirm_button"),
    )


@gated(Capability.UNBIND)
async def unbind_button(update: Update, context: Context, viewer: Viewer) -> None:
    person = await _person_in_scope(update, context, viewer, Capability.UNBIND)
    if person is None or update.callback_query is None:
        return
    found = services(context)
    async with found.sessions.begin() as session:
        current = await people.person_by_id(session, person.id)
        done = current is not None and await enrollment.unbind(
            session,
            current,
            now=found.clock.now(),
            actor=f"person:{viewer.person_id}",
            actor_person_id=viewer.person_id,
        )
    await update.callback_query.answer()
    key = "unbind.done" if done else "unbind.not_bound"
    await update.callback_query.edit_message_text(text(viewer.language, key, name=person.name))


@gated(Capability.ROSTER)
async def roster_overview(update: Update, context: Context, viewer: Viewer) -> None:
    async with services(context).sessions() as session:
        counts = await people.count_by_unit(session, viewer.scopes(Capability.ROSTER))
    language = viewer.language
    if not counts:
        await answer(update, language, "roster.empty")
        return
    lines = [text(language, "roster.title")] + [
        text(language, "roster.line", unit=unit, people=total, enrolled=enrolled) for unit, total, enrolled in counts
    ]
    await say(update, "\n".join(lines))


HANDLERS: Handlers = [
    CommandHandler("invite", invite_command),
    CallbackQueryHandler(invite_button, pattern=r"^invite:"),
    CommandHandler("unbind", unbind_command),
    CallbackQueryHandler(unbind_button, pattern=r"^unbind:"),
    CommandHandler("roster", roster_overview),
]
