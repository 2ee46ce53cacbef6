"""The access gate every command and button goes through, and small helpers to render replies."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.ext import BaseHandler, ContextTypes

from bot.followup.outbox import Buttons
from bot.i18n import language_of, text
from bot.roster.access import Capability, Viewer, commands_for
from bot.services import Services
from handlers.telegram.transport import TalkBot
from storage.models import Person

Context = ContextTypes.DEFAULT_TYPE
Gated = Callable[[Update, Context, Viewer], Coroutine[Any, Any, None]]
HandlerCallback = Callable[[Update, Context], Coroutine[Any, Any, None]]
Handlers = list[BaseHandler[Any, Any, Any]]


def services(context: Context) -> Services:
    found: Services = context.application.bot_data["services"]
    return found


def language_for(update: Update, context: Context, viewer: Viewer | None) -> str:
    if viewer is not None:
        return viewer.language
    user = update.effective_user
    return language_of(user.language_code if user else None, services(context).default_language)


async def answer(
    update: Update, language: str, key: str, /, *, markup: InlineKeyboardMarkup | None = None, **params: object
) -> None:
    """Reply in the update's chat; a button press is acknowledged first."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await say(update, text(language, key, **params), markup)


async def say(update: Update, body: str, markup: InlineKeyboardMarkup | Buttons | None = None) -> None:
    """Send `body` to the update's chat; the sent message is not read back (see TalkBot.send_text)."""
    chat = update.effective_chat
    if chat is not None:
        bot = update.get_bot()
        assert isinstance(bot, TalkBot)
        await bot.send_text(chat.id, body, markup)


async def show_working(update: Update, action: ChatAction) -> None:
    """The "typing…" (or "sending a photo…") line under the chat's name while a slow answer is prepared: Telegram shows
    it until the next message, or five seconds."""
    chat = update.effective_chat
    if chat is not None:
        await chat.send_action(action)


async def refuse_button(update: Update, language: str, key: str) -> None:
    """A press that is stale, forged or not allowed: a short notice, nothing changes."""
    if update.callback_query is not None:
        await update.callback_query.answer(text(language, key), show_alert=False)


async def load_viewer(update: Update, context: Context) -> Viewer | None:
    user = update.effective_user
    if user is None:
        return None
    return await services(context).roster.viewer(user.id)


def gated(capability: Capability, *, in_groups: bool = False) -> Callable[[Gated], HandlerCallback]:
    """Run the handler only for an enrolled person who may use `capability`, in a private chat (or, with
    `in_groups`, in a group too: the handler then decides what may be said there)."""

    def decorate(callback: Gated) -> HandlerCallback:
        @functools.wraps(callback)
        async def handler(update: Update, context: Context) -> None:
            viewer = await load_viewer(update, context)
            language = language_for(update, context, viewer)
            private = update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
            if viewer is None:
                await refuse_stranger(update, context, language)
            elif update.effective_chat is None or not (private or in_groups):
                await refuse_in_group(update, context, language)
            elif not viewer.may(capability):
                if update.callback_query is not None:
                    await refuse_button(update, language, "refusal.not_allowed")
                else:
                    await answer(update, language, "refusal.not_allowed")
            else:
                await callback(update, context, viewer)

        return handler

    return decorate


async def refuse_stranger(update: Update, context: Context, language: str) -> None:
    """Someone not on the roster: one polite refusal per chat per `[throttle] stranger_refusal_minutes`, whatever
    they send (in a group, the pointer to the private chat), and nothing else. The refusal goes behind every reply
    to the roster (handlers.telegram.transport.StrangerLane)."""
    found = services(context)
    chat, user = update.effective_chat, update.effective_user
    key: int | None = chat.id if chat is not None else None
    if update.callback_query is not None or chat is None:  # a button's notice shows on the presser's screen only
        key = user.id if user is not None else None
    if key is None or not found.strangers.allow(key, found.clock.now()):
        return
    if update.callback_query is not None:
        await refuse_button(update, language, "refusal.stranger")  # a notice on the person's screen, no message
        return
    if chat is None:
        return
    bot = update.get_bot()
    assert isinstance(bot, TalkBot)
    if chat.type == ChatType.PRIVATE:
        await bot.send_to_stranger(chat.id, text(language, "refusal.stranger"))
    else:
        await bot.send_to_stranger(chat.id, text(language, "refusal.group", link=f"https://t.me/{bot.username}"))


async def refuse_in_group(update: Update, context: Context, language: str) -> None:
    """Nothing sensitive in groups: point to the private chat and do nothing else."""
    if update.callback_query is not None:
        await refuse_button(update, language, "button.stale")
    elif update.effective_message is not None:
        link = f"https://t.me/{context.bot.username}"
        await update.effective_message.reply_text(text(language, "refusal.group", link=link))


async def refresh_menu(context: Context, chat_id: int, viewer: Viewer | None, language: str) -> None:
    """The command menu of this chat shows what this person may do, in their language."""
    capabilities = tuple(commands_for(viewer))
    shown: dict[int, tuple[str, tuple[Capability, ...]]] = context.bot_data.setdefault("menus", {})
    if shown.get(chat_id) == (language, capabilities):
        return  # set already by this process: a Bot API call saved on every /help
    commands = [
        BotCommand(capability.value, text(language, f"command.{capability.value}")) for capability in capabilities
    ]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    shown[chat_id] = (language, capabilities)


def roles_text(viewer: Viewer, language: str) -> str:
    separator = "、" if language == "zh-CN" else ", "
    return separator.join(text(language, f"role.{role.value}") for role in sorted(viewer.roles))


def people_keyboard(
    people: Sequence[Person], language: str, action: str, *, label: str = "button.person"
) -> InlineKeyboardMarkup:
    """One button a person (`label` the catalog key for one person alone); callback data carries the action and
    an opaque id only."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(
                        language,
                        label if len(people) == 1 else "button.person",
                        name=person.name,
                        unit=person.unit.path,
                    ),
                    callback_data=f"{action}:{person.id}",
                )
            ]
            for person in people
        ]
    )


def callback_id(update: Update) -> int | None:
    """The id after the colon of a button's data, or None when the data is not ours."""
    data = update.callback_query.data if update.callback_query else None
    _, _, tail = (data or "").partition(":")
    return int(tail) if tail.isdigit() and len(tail) < 12 else None
