"""The Bot API emulator answers python-telegram-bot's own Bot with the real API's shapes and errors, through PTB's
own httpx client and through ours on aiohttp (handlers.telegram.transport): the two must be indistinguishable to
the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, HTTPXRequest

from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN
from handlers.telegram.transcript import EmulatorClient
from handlers.telegram.transport import AiohttpRequest

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000020000000308060000009d6c2c0b")
USER = {"id": 42, "first_name": "Ada", "language_code": "en"}


@pytest.fixture(params=["httpx", "aiohttp"])
async def ptb(emulator: EmulatorServer, request: pytest.FixtureRequest) -> AsyncIterator[Bot]:
    transport: BaseRequest = (
        HTTPXRequest(read_timeout=2) if request.param == "httpx" else AiohttpRequest(read_timeout=2)
    )
    bot = Bot(
        SANDBOX_TOKEN,
        base_url=f"{emulator.url}/bot",
        base_file_url=f"{emulator.url}/file/bot",
        request=transport,
        get_updates_request=transport,
    )
    async with bot:
        yield bot


async def test_get_me_and_updates_with_offsets_and_long_polling(ptb: Bot, control: EmulatorClient) -> None:
    assert ptb.username == "talkledger_bot" and ptb.id == int(SANDBOX_TOKEN.split(":")[0])
    assert await ptb.get_updates(timeout=0) == ()
    await control.post("send", {"user": USER, "text": "/start abc"})
    await control.post("send", {"user": USER, "text": "hello"})
    updates = await ptb.get_updates(timeout=1)
    assert [update.update_id for update in updates] == [1, 2]
    first = updates[0].message
    assert first is not None and first.text == "/start abc" and first.chat.type == "private"
    assert first.entities[0].type == "bot_command" and first.date.year >= 2025
    assert len(await ptb.get_updates(offset=2, limit=5)) == 1  # update 1 confirmed
    assert await ptb.get_updates(offset=3, timeout=0) == ()


async def test_messages_keyboards_edits_and_callbacks(ptb: Bot, control: EmulatorClient) -> None:
    await control.post("send", {"user": USER, "text": "hi"})
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]])
    sent = await ptb.send_message(42, "Question?", reply_markup=keyboard)
    assert sent.message_id == 2 and sent.reply_markup == keyboard  # ids count per chat: the user's was 1
    pressed = await control.post("press", {"user": USER, "label": "Yes"})
    update = (await ptb.get_updates())[-1]
    assert update.callback_query is not None and update.callback_query.data == "y"
    assert update.callback_query.message is not None and update.callback_query.message.message_id == 2
    assert await ptb.answer_callback_query(update.callback_query.id, text="Noted")
    assert (await control.get(f"callbacks/{pressed['callback_query_id']}"))["text"] == "Noted"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await ptb.answer_callback_query(update.callback_query.id)
    edited = await ptb.edit_message_text("Answered", chat_id=42, message_id=2)
    assert isinstance(edited, object) and getattr(edited, "text", None) == "Answered"
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await ptb.edit_message_text("Answered", chat_id=42, message_id=2)
    history = await control.get("messages", chat_id=42)
    assert history[1]["edits"][0]["text"] == "Question?" and "reply_markup" not in history[1]
    assert await ptb.delete_message(42, 2)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await ptb.edit_message_reply_markup(42, 2, reply_markup=keyboard)


async def test_documents_and_photos_upload_and_download(ptb: Bot, control: EmulatorClient) -> None:
    await control.post("send", {"user": USER, "text": "hi"})
    document = await ptb.send_document(42, b"a,b\n1,2\n", filename="ledger.csv", caption="明细账")
    assert document.document is not None and document.document.file_name == "ledger.csv"
    assert document.caption == "明细账"
    photo = await ptb.send_photo(42, PNG)
    assert photo.photo[-1].width == 2 and photo.photo[-1].height == 3
    file = await ptb.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
    again = await ptb.send_document(42, document.document.file_id)  # resent by file_id
    assert again.document is not None and again.document.file_id == document.document.file_id
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await ptb.get_file("nope")


async def test_errors_have_the_real_shapes(ptb: Bot, control: EmulatorClient, emulator: EmulatorServer) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await ptb.send_message(777, "anyone?")
    await control.post("send", {"user": USER, "text": "hi"})
    await control.post("block", {"user_id": 42})
    with pytest.raises(Forbidden, match="(?i)blocked by the user"):
        await ptb.send_message(42, "still there?")
    await control.post("block", {"user_id": 42, "blocked": False})
    with pytest.raises(BadRequest, match="(?i)text is empty"):
        await ptb.send_message(42, " ")
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONGTOKENWRONGTOKEN0000", base_url=f"{emulator.url}/bot") as other:
            await other.get_me()


async def test_injected_faults(ptb: Bot, control: EmulatorClient) -> None:
    await control.post("send", {"user": USER, "text": "hi"})
    await control.post("faults", {"method": "sendMessage", "status": 429, "count": 1, "retry_after": 3})
    with pytest.raises(RetryAfter) as raised:
        await ptb.send_message(42, "one")
    assert raised.value.retry_after in (3, timedelta(seconds=3))
    await control.post("faults", {"method": "sendMessage", "status": 502, "count": 1})
    with pytest.raises(NetworkError):
        await ptb.send_message(42, "two")
    await control.post("faults", {"method": "sendMessage", "status": 403, "count": 1})
    with pytest.raises(Forbidden):
        await ptb.send_message(42, "three")
    await control.post("faults", {"method": "sendMessage", "status": "timeout", "count": 1, "delay": 3})
    with pytest.raises(TimedOut):
        await ptb.send_message(42, "four")
    assert (await ptb.send_message(42, "five")).text == "five"  # the faults are used up


async def test_rate_limit_answers_429_with_retry_after(
    ptb: Bot, control: EmulatorClient, emulator: EmulatorServer
) -> None:
    await control.post("send", {"user": USER, "text": "hi"})
    await control.post("rate_limit", {"per_chat_per_second": 2})
    await ptb.send_message(42, "1")
    await ptb.send_message(42, "2")
    with pytest.raises(RetryAfter):
        await ptb.send_message(42, "3")
    assert emulator.emulator.received_429 == 1
    assert emulator.emulator.throttled == {"chat": 1} and emulator.emulator.throttled_chats == {42: 1}


async def test_commands_per_chat_and_webhooks(ptb: Bot, control: EmulatorClient) -> None:
    await ptb.set_my_commands([BotCommand("start", "Start")])
    await ptb.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeChat(42))
    assert [c["command"] for c in await control.get("commands", chat_id=42)] == ["help"]
    assert [c["command"] for c in await control.get("commands", chat_id=43)] == ["start"]
    assert [c.command for c in await ptb.get_my_commands(scope=BotCommandScopeChat(42))] == ["help"]
    assert await ptb.set_webhook("https://example.invalid/hook")
    assert (await ptb.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Exception, match="(?i)webhook is active"):
        await ptb.get_updates()
    assert await ptb.delete_webhook()
    assert await ptb.get_updates(timeout=0) == ()


async def test_our_transport_reports_an_unreachable_server_as_a_network_error(emulator: EmulatorServer) -> None:
    port = int(emulator.url.rsplit(":", 1)[1])
    await emulator.stop()  # nothing listens there now
    transport = AiohttpRequest(connect_timeout=1)
    with pytest.raises(NetworkError):
        async with Bot(SANDBOX_TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=transport) as bot:
            await bot.get_me()
    await transport.shutdown()
