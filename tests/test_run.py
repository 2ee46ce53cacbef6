"""`talkledger run` as an operator starts it: a separate process polling a Bot API server at the configured
base URL (here the emulator), serving /start <code>, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.config import Config
from bot.i18n import text
from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import EmulatorClient
from tests.conftest import start_talkledger


async def test_run_serves_start_with_a_code_and_stops_on_sigterm(
    tmp_path: Path, config: Config, emulator: EmulatorServer, control: EmulatorClient
) -> None:
    codes = {name: code for name, _, code in await seed_demo(config)}
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[telegram]\ntoken = "{SANDBOX_TOKEN}"\napi_base_url = "{emulator.url}"\n'
        f'[database]\nurl = "{config.database_url}"\n[organisation]\ndefault_language = "en"\n',
        encoding="utf-8",
    )
    process = await start_talkledger("--config", str(config_file), "run")
    try:
        assert process.stdout is not None
        started = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert started.strip() == text("en", "cli.running", username="talkledger_bot")
        await control.post(
            "send",
            {"user": {"id": 7001, "first_name": "Li", "language_code": "zh-CN"}, "text": f"/start {codes['李华']}"},
        )
        seen: list[str] = []
        since = 0
        while not any("李华" in reply for reply in seen):
            events = await control.get("events", since=since, timeout=10)
            assert events, f"no reply from the bot; it said: {seen}"
            since = events[-1]["seq"]
            seen += [event["message"].get("text", "") for event in events if event["message"]["chat"]["id"] == 7001]
        assert any(text("zh-CN", "role.leader") in reply for reply in seen)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
