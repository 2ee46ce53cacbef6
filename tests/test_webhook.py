"""Webhook mode: Telegram (the emulator) posts updates to our aiohttp server, which checks the secret and the body;
a second instance on the same database stands by, answering 503 until it becomes the active one."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from bot.clock import ManualClock
from bot.config import Config, WebhookConfig
from bot.i18n import text
from handlers.telegram.app import TalkApplication, serve
from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import ChatUser, EmulatorClient
from tests.conftest import free_port, start_talkledger

SECRET = "s3cret-webhook-token-0123"


def webhook_config(config: Config) -> Config:
    port = free_port()
    hook = WebhookConfig(url=f"http://127.0.0.1:{port}/telegram", port=port, secret=SECRET)
    return dataclasses.replace(config, webhook=hook)


@contextlib.asynccontextmanager
async def instance(config: Config, clock: ManualClock) -> AsyncIterator[asyncio.Queue[TalkApplication | None]]:
    """`talkledger run --webhook` in this process; the queue says when it becomes active (None: standing by)."""
    stop = asyncio.Event()
    became: asyncio.Queue[TalkApplication | None] = asyncio.Queue()
    task = asyncio.create_task(
        serve(
            config,
            stop,
            use_webhook=True,
            clock=clock,
            on_active=became.put_nowait,
            on_standby=lambda: became.put_nowait(None),
        )
    )
    try:
        yield became
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_updates_arrive_by_webhook_and_the_bot_answers(
    config: Config, clock: ManualClock, invites: dict[str, str], emulator: EmulatorServer, control: EmulatorClient
) -> None:
    config = webhook_config(config)
    async with instance(config, clock) as became:
        application = await asyncio.wait_for(became.get(), 30)
        assert application is not None
        assert emulator.emulator.webhook_url == config.webhook.url
        assert emulator.emulator.webhook_secret == SECRET
        li = ChatUser(control, application, 7001, "李华")
        await li.send(f"/start {invites['李华']}")
        assert "李华" in li.last_reply
        assert emulator.emulator.webhook_errors == []


async def test_the_webhook_refuses_wrong_secrets_and_bad_bodies(
    config: Config, clock: ManualClock, invites: dict[str, str]
) -> None:
    config = webhook_config(config)
    base = f"http://127.0.0.1:{config.webhook.port}"
    async with instance(config, clock) as became, aiohttp.ClientSession() as http:
        assert await asyncio.wait_for(became.get(), 30) is not None

        async def post(body: bytes, secret: str | None = SECRET) -> int:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            async with http.post(f"{base}/telegram", data=body, headers=headers) as response:
                return response.status

        good = b'{"update_id": 999999, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}'
        assert await post(good, secret=None) == 403
        assert await post(good, secret="wrong-secret-wrong-secret") == 403
        assert await post(good, secret=SECRET[:-1]) == 403
        assert await post(b"not json") == 400
        assert await post(b"[1, 2, 3]") == 400
        assert await post(b'{"update_id": "one"}') == 400
        assert await post(b'{"message": {}}') == 400
        assert await post(b"{" + b" " * (config.webhook.max_body_bytes + 10) + b"}") == 413
        assert await post(good) == 200
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
        async with http.get(f"{base}/readyz") as response:
            assert response.status == 200


async def test_a_second_instance_stands_by_and_takes_over(
    config: Config, clock: ManualClock, invites: dict[str, str], control: EmulatorClient
) -> None:
    second_config = webhook_config(config)
    second_base = f"http://127.0.0.1:{second_config.webhook.port}"
    async with aiohttp.ClientSession() as http, contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(instance(webhook_config(config), clock))
        assert await asyncio.wait_for(first.get(), 30) is not None
        async with instance(second_config, clock) as second:
            assert await asyncio.wait_for(second.get(), 30) is None  # standing by
            async with http.get(f"{second_base}/readyz") as response:
                assert response.status == 503
            async with http.get(f"{second_base}/healthz") as response:
                assert response.status == 200
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(f"{second_base}/telegram", json={"update_id": 5}, headers=headers) as response:
                assert response.status == 503
            await stack.aclose()  # the active instance stops
            taken_over = await asyncio.wait_for(second.get(), 10)
            assert taken_over is not None
            async with http.get(f"{second_base}/readyz") as response:
                assert response.status == 200
            li = ChatUser(control, taken_over, 7001, "李华")
            await li.send(f"/start {invites['李华']}")
            assert "李华" in li.last_reply


async def test_run_webhook_as_a_process_finishes_what_it_took_on_sigterm(
    tmp_path: Path, config: Config, emulator: EmulatorServer, control: EmulatorClient
) -> None:
    invites = {name: code for name, _, code in await seed_demo(config)}  # valid now: the process keeps real time
    hooked = webhook_config(config)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{emulator.url}"\n'
        f'[database]\nurl = "{config.database_url}"\n'
        f'[webhook]\nurl = "{hooked.webhook.url}"\nport = {hooked.webhook.port}\nsecret = "{SECRET}"\n'
        '[logging]\nformat = "json"\n',
        encoding="utf-8",
    )
    process = await start_talkledger("--config", str(config_file), "run", "--webhook")
    try:
        assert process.stdout is not None and process.stderr is not None
        started = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert started.strip() == text("zh-CN", "cli.running", username="talkledger_bot")
        assert emulator.emulator.webhook_url == hooked.webhook.url
        # An update is taken, then the stop signal comes at once: the update is still answered.
        await control.post("send", {"user": {"id": 7001, "first_name": "李华"}, "text": f"/start {invites['李华']}"})
        while emulator.emulator.updates:
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
        said = [m.get("text", "") for m in emulator.emulator.messages[7001] if m["from"]["is_bot"]]
        assert any("李华" in line for line in said), said
        logged = (await process.stderr.read()).decode()
        assert SANDBOX_TOKEN not in logged and SECRET not in logged
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
