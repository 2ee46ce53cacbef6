"""The commission's group chat: an admin registers it with /group; there, /ask answers aggregates (never the
records behind them). Everywhere else groups get only a pointer to the private chat."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.questions.reader import Question
from bot.questions.summary import answer as summarise
from bot.roster.access import Capability, Viewer
from handlers.telegram.common import Context, Handlers, answer, gated, refuse_in_group, say, services
from handlers.telegram.stats import ask as ask_privately
from handlers.telegram.stats import explain, read_question
from storage import audit
from storage.models import CommissionGroup


def _in_group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE


@gated(Capability.GROUP, in_groups=True)
async def register(update: Update, context: Context, viewer: Viewer) -> None:
    """/group in a group chat: (un)register it as the commission's — `/group off` takes it back."""
    if not _in_group(update) or update.effective_chat is None:
        await answer(update, viewer.language, "group.only_in_groups")
        return
    chat_id = update.effective_chat.id
    found = services(context)
    off = (context.args or [""])[0].lower() in ("off", "取消")
    async with found.sessions.begin() as session:
        existing = await session.get(CommissionGroup, chat_id)
        if off and existing is not None:
            await session.delete(existing)
        elif not off and existing is None:
            session.add(CommissionGroup(chat_id=chat_id, registered_by_id=viewer.person_id, at=found.clock.now()))
        audit.record(
            session,
            at=found.clock.now(),
            actor_person_id=viewer.person_id,
            action="group.unregister" if off else "group.register",
            subject=f"chat:{chat_id}",
        )
    await answer(update, viewer.language, "group.off" if off else "group.on")


@gated(Capability.ASK, in_groups=True)
async def ask(update: Update, context: Context, viewer: Viewer) -> None:
    """/ask QUESTION: in private like typing it; in the commission's group, the aggregate only."""
    typed = " ".join(context.args or []).strip()
    if not _in_group(update):
        await ask_privately(update, context, viewer, typed)
        return
    found = services(context)
    assert update.effective_chat is not None
    async with found.sessions() as session:
        registered = await session.get(CommissionGroup, update.effective_chat.id) is not None
    if not registered:
        await refuse_in_group(update, context, viewer.language)
        return
    question = await read_question(context, viewer, typed)
    if not isinstance(question, Question):
        # No figure, and no buttons: choosing a reading is for the private chat.
        await say(update, explain(viewer.language, question, offers_readings=False))
        return
    if question.measure not in (
        "talks",
        "person_times",
        "completion",
        "coverage",
    ):
        await answer(update, viewer.language, "group.aggregates_only")
        return
    async with found.sessions() as session:
        result = await summarise(session, found, viewer, question)
    await say(update, result.text)


HANDLERS: Handlers = [CommandHandler("group", register), CommandHandler("ask", ask)]
