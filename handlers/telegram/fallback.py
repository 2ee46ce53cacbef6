"""What nobody else took: unknown text, unknown or stale buttons, and errors."""

from __future__ import annotations

import json
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.questions.reader import asks_for_figures
from bot.roster.access import Capability
from handlers.telegram.common import (
    Context,
    Handlers,
    answer,
    language_for,
    load_viewer,
    refuse_button,
    refuse_stranger,
)

log = logging.getLogger(__name__)


async def unknown_message(update: Update, context: Context) -> None:
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        return  # in groups the bot speaks only when addressed by a command
    viewer = await load_viewer(update, context)
    language = language_for(update, context, viewer)
    typed = update.message.text if update.message is not None else None
    if viewer is None:
        await refuse_stranger(update, context, language)
    elif typed and not viewer.may(Capability.STATS) and asks_for_figures(typed):
        await answer(update, language, "refusal.not_allowed")  # what /stats says to them: true, not "not understood"
    else:
        await answer(update, language, "reply.unknown")


async def unknown_button(update: Update, context: Context) -> None:
    viewer = await load_viewer(update, context)
    if viewer is None:
        await refuse_stranger(update, context, language_for(update, context, viewer))
    else:
        await refuse_button(update, viewer.language, "button.stale")


async def on_error(update: object, context: Context) -> None:
    """Log the failure with the update; tell the person their action did not take effect."""
    body = json.dumps(update.to_dict(), ensure_ascii=False)[:4000] if isinstance(update, Update) else repr(update)
    update_id = getattr(update, "update_id", None)
    log.error("update %s failed: %s", update_id, body, exc_info=context.error, extra={"update_id": update_id})
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    language = language_for(update, context, None) if "services" in context.application.bot_data else "zh-CN"
    try:
        if update.callback_query is not None:
            await refuse_button(update, language, "reply.try_again")
        else:
            await answer(update, language, "reply.try_again")
    except Exception:  # the messenger may be the thing failing; the log above has what matters
        log.warning("could not tell chat %s about the failure", update.effective_chat.id)


HANDLERS: Handlers = [
    MessageHandler(filters.ALL, unknown_message),
    CallbackQueryHandler(unknown_button),
]
