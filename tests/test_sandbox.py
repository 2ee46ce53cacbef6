"""`talkledger try` as a new user meets it: a terminal chat with the demo roster, no token needed."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.i18n import text
from tests.conftest import start_talkledger


async def test_try_lets_you_enroll_a_demo_person_and_see_their_help(tmp_path: Path) -> None:
    process = await start_talkledger("--config", str(tmp_path / "none.toml"), cwd=tmp_path)
    assert process.stdin is not None and process.stdout is not None
    output: list[str] = []

    async def read_until(pattern: str) -> str:
        while True:
            line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
            assert line, "".join(output)
            output.append(line)
            if re.search(pattern, line):
                return line

    async def type_line(line: str) -> None:
        process.stdin.write(line.encode() + b"\n")
        await process.stdin.drain()

    try:
        commission = await read_until(r"张建平.*/start \S+")
        code = commission.split("/start ")[1].strip()
        await read_until(r"^\[张建平\] >")
        await type_line(f"/start {code}")
        await read_until(r"张建平\uff0c您好")
        await type_line("/help")
        await read_until(r"/invite")
        await type_line(":as 4")
        await read_until(r"^\[赵敏\] >")
        await type_line("/help")
        await read_until(r"这是一个内部工作机器人")  # 赵敏 has not opened her link: a stranger
        await type_line(":as 1")
        await type_line("/lang")
        await read_until(r"\[:2\] English")
        await type_line(":2")
        await read_until(r"Language switched to English")
        await type_line(":quit")
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert output[0].strip() == text("zh-CN", "cli.no_token_trying")
