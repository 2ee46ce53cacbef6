"""`talkledger run` as an operator starts it: a separate process polling a Bot API server at the configured
base URL (here the emulator), serving /start <code>, and stopping cleanly on SIGTERM; and the same in WeCom."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.config import Config
from bot.i18n import text
from handlers.telegram.emulator import EmulatorServer
from handlers.telegram.sandbox import SANDBOX_TOKEN, seed_demo
from handlers.telegram.transcript import EmulatorClient
from handlers.wecom.emulator import WeComEmulator, WeComEmulatorServer
from tests.conftest import free_port, start_talkledger
from tests.wecom_world import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN


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


async def test_run_in_wecom_takes_signed_callbacks_and_answers_through_the_wecom_api(
    tmp_path: Path, config: Config
) -> None:
    codes = {name: code for name, _, code in await seed_demo(config)}
    # On the real clock, as the process is: a callback stamped hours off would be refused as a replay.
    wecom_emulator = WeComEmulatorServer(WeComEmulator(CORP_ID, SECRET, AGENT_ID, TOKEN, AES_KEY))
    api = await wecom_emulator.start()
    port = free_port()
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[database]\nurl = "{config.database_url}"\n[organisation]\ndefault_language = "en"\n'
        f'[wecom]\ncorp_id = "{CORP_ID}"\nagent_id = {AGENT_ID}\ntoken = "{TOKEN}"\nencoding_aes_key = "{AES_KEY}"\n'
        f'api_base_url = "{api}"\nport = {port}\n',
        encoding="utf-8",
    )
    # The secret stays out of the file, as an operator would keep it.
    process = await start_talkledger("--config", str(config_file), environment={"TALKLEDGER_WECOM_SECRET": SECRET})
    try:
        assert process.stdout is not None
        started = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        url = f"http://127.0.0.1:{port}/wecom/callback"
        assert started.strip() == text("en", "cli.running_wecom", agent_id=AGENT_ID, url=url)
        emulator = wecom_emulator.emulator
        emulator.set_callback_url(url)
        verified, _echo = await emulator.poster.verify_url()  # the admin console's check of the callback URL
        assert verified
        posted = await emulator.send_text("lihua", f"/start {codes['李华']}")
        assert posted.statuses == [200]
        for _ in range(300):  # the bot answers after the callback's 200; up to 30 s
            if any("李华" in record.get("text", "") for record in emulator.sent["lihua"]):
                break
            await asyncio.sleep(0.1)
        replies = [record.get("text", "") for record in emulator.sent["lihua"]]
        assert any(text("en", "role.leader") in reply for reply in replies), replies  # the organisation's language
        assert emulator.menus[AGENT_ID]["button"]  # the app menu was set at start
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await wecom_emulator.stop()
