"""Rectification items in the chat: the buttons on item messages, /items, /followups, and the typed answers to
what those buttons ask (a report, an extension, a reason). The logic is bot/followup/items.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.followup import items as logic
from bot.followup.outbox import Buttons
from bot.i18n import text
from bot.labels import same_label
from bot.roster.access import Capability, Role, Viewer
from handlers.telegram.common import Context, Handlers, answer, gated, refuse_button, say, services
from handlers.telegram.outbox import kick
from handlers.telegram.transfer import download
from storage import followup

MAX_LISTED = 10


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    return InlineKeyboardMarkup(rows) if rows else None


def _parts(update: Update) -> tuple[int | None, str]:
    data = update.callback_query.data if update.callback_query else ""
    _, target, action = ((data or "") + "::").split(":")[:3]
    return (int(target) if target.isdigit() and len(target) < 12 else None), action


@gated(Capability.ITEMS)
async def item_button(update: Update, context: Context, viewer: Viewer) -> None:
    """it:<item>:ack|progress|done|extend, pressed by the person responsible; it:<item>:show, a digest's button."""
    item_id, action = _parts(update)
    if action == "show":
        await _show_item(update, context, viewer, item_id)
    else:
        await _on_item(update, context, viewer, item_id, action)


PERSON_ACTIONS = ("ack", "progress", "done", "extend")


VERIFY_ACTIONS = {"close": "close", "back": "send_back"}  # action → its label's catalog key


async def typed_label(update: Update, context: Context, viewer: Viewer, typed: str) -> bool:
    """A label of an item's buttons typed instead of pressed: the press, on the one item it can mean — 报告进展 …
    on the person's one open item, 销号 / 退回 on the one item awaiting their verification; with several, they are
    told to press it under the item they mean. False when it is no such label or there is no such item."""
    if not viewer.may(Capability.ITEMS):
        return False
    language = viewer.language
    mine = next((a for a in PERSON_ACTIONS if same_label(text(language, f"item.button.{a}"), typed)), None)
    theirs = next(
        (a for a, key in VERIFY_ACTIONS.items() if same_label(text(language, f"item.button.{key}"), typed)), None
    )
    if mine is None and theirs is None:
        return False
    async with services(context).sessions() as session:
        if mine is not None:
            candidates = list(await followup.items_of_person(session, viewer.person_id))
        else:
            commission = tuple(g.scope for g in viewer.grants if g.role == Role.COMMISSION)
            overseen = await followup.items_of_interviewer(session, viewer.person_id, commission)
            candidates = [item for item in overseen if item.state == "awaiting"]
    if not candidates:
        return False
    action = mine or theirs or ""
    if len(candidates) > 1:
        label = text(language, f"item.button.{mine or VERIFY_ACTIONS[action]}")
        key = "item.typed_which" if mine else "item.typed_which_awaiting"
        await answer(update, language, key, count=len(candidates), label=label)
    elif mine is not None:
        await _on_item(update, context, viewer, candidates[0].id, action)
    else:
        await _verify(update, context, viewer, candidates[0].id, action)
    return True


async def _on_item(update: Update, context: Context, viewer: Viewer, item_id: int | None, action: str) -> None:
    found = services(context)
    if action == "ack":
        acknowledged = None
        if item_id is not None:
            async with found.engine.begin() as connection:
                acknowledged = await logic.acknowledge(connection, found, viewer, item_id)
        if acknowledged is not None and update.callback_query is not None:
            # Nothing follows an acknowledgement: the press's own notice says it, without a message in the chat.
            await update.callback_query.answer(text(viewer.language, acknowledged.key, **acknowledged.params))
            return
        await _answer(update, viewer, (acknowledged.key, acknowledged.params) if acknowledged else None)
        return
    reply: tuple[str, dict[str, object]] | None = None
    async with found.sessions.begin() as session:
        item = await followup.item_by_id(session, item_id) if item_id is not None else None
        asked = action in ("progress", "done", "extend")
        if asked and item is not None and logic.answers_for(item, viewer) and item.state != "closed":
            await logic.ask_for(session, found, viewer, action, item.id)
            reply = (f"item.ask.{action}", {"number": item.id, "deadline": item.deadline.isoformat()})
    await _answer(update, viewer, reply)


async def _show_item(update: Update, context: Context, viewer: Viewer, item_id: int | None) -> None:
    """A digest's button: the item's card, with the buttons this person may use on it."""
    found = services(context)
    card, buttons = None, None
    async with found.sessions() as session:
        item = await followup.item_by_id(session, item_id) if item_id is not None else None
        if item is not None and item.state != "closed":
            if logic.answers_for(item, viewer):
                buttons = logic.person_buttons(item, viewer.language)
            elif await logic.oversees(session, viewer, item):
                buttons = logic.verify_buttons(item, viewer.language) if item.state == "awaiting" else []
            if buttons is not None:
                card = await logic.describe_item(session, found, item, viewer.language)
    if card is None or buttons is None or update.callback_query is None:
        await refuse_button(update, viewer.language, "button.stale")
        return
    await update.callback_query.answer()
    await say(update, card, buttons)


@gated(Capability.ITEMS)
async def verify_button(update: Update, context: Context, viewer: Viewer) -> None:
    """iv:<item>:close|back, pressed by the interviewer or the commission."""
    item_id, action = _parts(update)
    await _verify(update, context, viewer, item_id, action)


async def _verify(update: Update, context: Context, viewer: Viewer, item_id: int | None, action: str) -> None:
    found = services(context)
    reply = None
    async with found.sessions.begin() as session:
        item = await followup.item_by_id(session, item_id) if item_id is not None else None
        if item is not None and item.state == "awaiting" and await logic.oversees(session, viewer, item):
            if action == "close":
                outcome = await logic.close(session, found, viewer, item)
                reply = (outcome.key, outcome.params)
            elif action == "back":
                await logic.ask_for(session, found, viewer, "send_back", item.id)
                reply = ("item.ask.send_back", {"number": item.id})
    await _answer(update, viewer, reply)
    kick(context)


@gated(Capability.ITEMS)
async def extension_button(update: Update, context: Context, viewer: Viewer) -> None:
    """ix:<request>:yes|no, pressed by the interviewer or the commission."""
    request_id, action = _parts(update)
    found = services(context)
    reply = None
    async with found.sessions.begin() as session:
        request = await followup.extension_by_id(session, request_id) if request_id is not None else None
        item = await followup.item_by_id(session, request.item_id) if request is not None else None
        if (
            request is not None
            and item is not None
            and action in ("yes", "no")
            and await logic.oversees(session, viewer, item)
        ):
            outcome = await logic.decide_extension(session, found, viewer, request, approve=action == "yes")
            reply = (outcome.key, outcome.params)
    await _answer(update, viewer, reply)
    kick(context)


@gated(Capability.ITEMS)
async def evidence_done(update: Update, context: Context, viewer: Viewer) -> None:
    found = services(context)
    async with found.sessions.begin() as session:
        awaited = await followup.awaited(session, viewer.person_id)
        if awaited is not None and awaited.purpose == "evidence":
            await session.delete(awaited)
    await _answer(update, viewer, ("item.evidence_done", {}))


async def _answer(update: Update, viewer: Viewer, reply: tuple[str, dict[str, object]] | None) -> None:
    """A press that led nowhere (stale, forged, not theirs) gets the stale notice; otherwise the reply (a label
    typed instead of pressed is answered in the chat)."""
    if reply is None and update.callback_query is None:  # typed: the item was closed meanwhile
        await answer(update, viewer.language, "item.gone")
        return
    if reply is None:
        await refuse_button(update, viewer.language, "button.stale")
        return
    key, params = reply
    await answer(update, viewer.language, key, markup=None, **params)  # answers the query too


async def answer_awaited(update: Update, context: Context, viewer: Viewer) -> bool:
    """If the bot asked this person something (a report, a reason), this message answers it: True when taken."""
    message = update.effective_message
    if message is None:
        return False
    found = services(context)
    params: dict[str, object] = {}
    async with found.sessions.begin() as session:
        awaited = await followup.awaited(session, viewer.person_id)
        if awaited is None:
            return False
        if awaited.purpose == "evidence" and message.text is not None:
            await session.delete(awaited)  # words after a report are something else: let them through,
            if not same_label(text(viewer.language, "item.button.evidence_done"), message.text):
                return False
            reply_key, markup = "item.evidence_done", None  # but 完成 typed is the button's press
        elif awaited.purpose == "evidence":
            count = await _keep_evidence(context, message, session, awaited.target_id, found.clock.now())
            markup = keyboard([[(text(viewer.language, "item.button.evidence_done"), "ie:done")]])
            params = {"count": count}
            reply_key = "item.evidence_saved" if count else "log.error.use_buttons"
        elif message.text is None:
            reply_key, params, markup = "log.error.empty", {}, None
        else:
            outcome = await logic.answer(session, found, viewer, awaited, message.text)
            reply_key, params = outcome.key, outcome.params
            markup = (
                keyboard([[(text(viewer.language, "item.button.evidence_done"), "ie:done")]])
                if reply_key == "item.report_saved"
                else None
            )
    await answer(update, viewer.language, reply_key, markup=markup, **params)
    kick(context)
    return True


async def _keep_evidence(
    context: Context, message: Message, session: AsyncSession, report_id: int, now: datetime
) -> int:
    """A photo or document sent after a report is kept with it; 1 if one was, else 0."""
    incoming, content = await download(context, message)
    if incoming is None or content is None:
        return 0
    session.add(incoming.attachment(content, now, report_id=report_id))
    await session.flush()
    return 1


@gated(Capability.ITEMS)
async def my_items(update: Update, context: Context, viewer: Viewer) -> None:
    if not await show_open_items(update, context, viewer):
        await answer(update, viewer.language, "item.none")


async def show_open_items(update: Update, context: Context, viewer: Viewer) -> bool:
    """The items this person answers for, each card with its buttons; False when there are none."""
    found = services(context)
    async with found.sessions() as session:
        items = list(await followup.items_of_person(session, viewer.person_id))
        listed = items[:MAX_LISTED]
        texts = await logic.describe_items(session, found, listed, viewer.language) if listed else []
    cards = [(card, logic.person_buttons(item, viewer.language)) for card, item in zip(texts, listed, strict=True)]
    if not cards:
        return False
    title = text(viewer.language, "item.list_title", count=len(items))
    if len(items) > len(cards):  # the rest said, with how to see them, on the first card: no message more
        title += "\n" + text(viewer.language, "item.list_more", count=len(items) - len(cards), shown=len(cards))
    for n, (card, buttons) in enumerate(cards):
        # The title heads the first card: one message fewer.
        await say(update, f"{title}\n\n{card}" if n == 0 else card, buttons)
    return True


@gated(Capability.FOLLOWUPS)
async def follow_ups(update: Update, context: Context, viewer: Viewer) -> None:
    """The items of this interviewer's talks by state; those awaiting verification with their buttons."""
    found = services(context)
    today = found.clock.now().astimezone(found.config.organisation.zone).date()
    language = viewer.language
    async with found.sessions() as session:
        commission = tuple(g.scope for g in viewer.grants if g.role == Role.COMMISSION)
        items = list(await followup.items_of_interviewer(session, viewer.person_id, commission))
        by_state: dict[str, list[str]] = {state: [] for state in logic.STATES}
        awaiting: list[tuple[str, Buttons]] = []
        for item in items:
            state = logic.item_state(item, today)
            problem = item.problem if item.kind == "problem" else text(language, "item.followup_problem")
            by_state[state].append(
                text(
                    language,
                    "followups.line",
                    mark=logic.urgency_mark(language, item, today, found.config.reminders),
                    number=item.id,
                    problem=problem[:40],
                    deadline=item.deadline.isoformat(),
                )
            )
            if state == "awaiting" and len(awaiting) < MAX_LISTED:
                awaiting.append(
                    (await logic.describe_item(session, found, item, language), logic.verify_buttons(item, language))
                )
    if not items:
        await answer(update, language, "followups.none")
        return
    lines = [text(language, "followups.title", count=len(items))]
    for state in logic.STATES:
        lines.append(
            text(language, "followups.state", state=text(language, f"item.state.{state}"), count=len(by_state[state]))
        )
        lines += by_state[state][:MAX_LISTED]
        if len(by_state[state]) > MAX_LISTED:
            excel = text(language, "stats.button.excel")
            lines.append(text(language, "followups.more", count=len(by_state[state]) - MAX_LISTED, excel=excel))
    await say(update, "\n".join(lines))
    for card, buttons in awaiting:
        await say(update, card, buttons)


HANDLERS: Handlers = [
    CommandHandler("items", my_items),
    CommandHandler("followups", follow_ups),
    CallbackQueryHandler(item_button, pattern=r"^it:"),
    CallbackQueryHandler(verify_button, pattern=r"^iv:"),
    CallbackQueryHandler(extension_button, pattern=r"^ix:"),
    CallbackQueryHandler(evidence_done, pattern=r"^ie:"),
]
