"""Before any handler: updates that must not reach one. An edited message never re-runs a command or an answer
(the person is told that edits are not read); a message without a chat, which no real client sends, is set
aside; a button whose data carries a number no id or page can be (forged: 20 digits, non-ASCII digits) gets the
stale-button notice, as any other button that no longer leads anywhere."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.telegram.common import Context, Handlers, answer, language_for, load_viewer, refuse_button

log = logging.getLogger(__name__)

LARGEST_NUMBER = 2**31 - 1  # ids are INTEGER columns, pages far fewer: nothing in our callback data is larger


async def screen(update: Update, context: Context) -> None:
    if update.edited_message is not None or update.edited_channel_post is not None:
        await _edited(update, context)
        raise ApplicationHandlerStop
    message = update.effective_message
    if message is not None and message.chat is None:
        log.warning("update %s: a message without a chat, set aside", update.update_id)
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None and query.data is not None and has_number_out_of_range(query.data):
        viewer = await load_viewer(update, context)
        await refuse_button(update, language_for(update, context, viewer), "button.stale")
        raise ApplicationHandlerStop


async def _edited(update: Update, context: Context) -> None:
    """Someone on the roster who edits a message in the private chat is told that edits are not read, so that
    nothing they changed is silently lost; anyone else, and groups, hear nothing."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    viewer = await load_viewer(update, context)
    if viewer is not None:
        await answer(update, viewer.language, "reply.edit_ignored")


def has_number_out_of_range(data: str) -> bool:
    """Does a part of callback data (parts are separated by ':') look like a number that none of ours can be?"""
    return any(
        part.isdigit() and (not part.isascii() or len(part) > 10 or int(part) > LARGEST_NUMBER)
        for part in data.split(":")
    )


HANDLERS: Handlers = [TypeHandler(Update, screen)]
