"""`talkledger try` as a new user meets it: a terminal chat with the demo roster, no token needed. The tests type
into a pseudo-terminal, as a person at a terminal does, and read what it shows."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.i18n import text
from tests.conftest import start_talkledger


class Terminal:
    """The sandbox running on a pseudo-terminal: type lines, read what the screen shows."""

    def __init__(self, process: asyncio.subprocess.Process, screen: int, reader: asyncio.StreamReader) -> None:
        self.process, self.screen, self.reader = process, screen, reader
        self.shown: list[str] = []
        self.codes: dict[str, str] = {}  # demo person → their /start code, as printed
        self.buttons: dict[str, str] = {}  # label → the :M.N that presses it, newest shown

    async def read_until(self, pattern: str) -> str:
        while True:
            try:
                line = (await asyncio.wait_for(self.reader.readline(), 60)).decode().rstrip("\r\n")
            except OSError:  # the terminal closed: the sandbox ended
                line = ""
            assert line or not self.reader.at_eof(), "\n".join(self.shown)
            self.shown.append(line)
            for number, label in re.findall(r"\[(:\d+\.\d+)\] (.+?)(?=  \[:|$)", line):
                self.buttons[label.strip()] = number
            if found := re.search(r"(\S+)[（(].*[）)][：:] ?/start (\S+)", line):
                self.codes[found.group(1)] = found.group(2)
            if re.search(pattern, line):
                return line

    async def type(self, line: str) -> None:
        os.write(self.screen, line.encode() + b"\n")

    async def press(self, label: str, expect: str) -> str:
        await self.type(self.buttons[label])
        return await self.read_until(expect)


@asynccontextmanager
async def terminal_running(tmp_path: Path, *command: str) -> AsyncIterator[Terminal]:
    """`talkledger COMMAND` (none: as a newcomer types it) on a pseudo-terminal, with no configuration."""
    screen, side = os.openpty()
    process = await start_talkledger(*command, "--config", str(tmp_path / "none.toml"), cwd=tmp_path, terminal=side)
    os.close(side)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(screen, "rb", buffering=0, closefd=False)
    )
    try:
        yield Terminal(process, screen, reader)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        transport.close()
        os.close(screen)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Terminal]:
    async with terminal_running(tmp_path) as terminal:
        first = await terminal.read_until(r"\S")
        assert first.strip() == text("zh-CN", "cli.no_token_trying")
        await terminal.read_until(r"^\[张建平\] >")
        yield terminal


async def test_try_lets_you_enroll_a_demo_person_and_see_their_help(sandbox: Terminal) -> None:
    await sandbox.type(f"/start {sandbox.codes['张建平']}")
    await sandbox.read_until(r"张建平\uff0c您好")
    await sandbox.type("/help")
    await sandbox.read_until(r"/invite")
    await sandbox.type(":as 4")
    await sandbox.read_until(r"^\[赵敏\] >")
    await sandbox.type("/help")
    await sandbox.read_until(r"这是一个内部工作机器人")  # 赵敏 has not opened her link: a stranger
    await sandbox.type(":as 1")
    await sandbox.type("/lang")
    row = await sandbox.read_until(r"English")
    assert re.search(r"\[:\d+\.1\] 中文.*\[:\d+\.2\] English", row)  # one row of the keyboard, one line
    await sandbox.type(":2")  # the newest keyboard's second button
    await sandbox.read_until(r"Language switched to English")
    await sandbox.type(":quit")
    assert await asyncio.wait_for(sandbox.process.wait(), 30) == 0


async def test_a_button_of_an_older_message_can_be_pressed(sandbox: Terminal) -> None:
    await sandbox.type(f"/start {sandbox.codes['张建平']}")
    await sandbox.read_until(r"张建平\uff0c您好")
    await sandbox.type("/unbind 赵敏")
    await sandbox.read_until(r"\[:\d+\.1\] .*赵敏")
    older = next(number for label, number in sandbox.buttons.items() if "赵敏" in label)
    await sandbox.type("/lang")
    await sandbox.read_until(r"English")
    await sandbox.type(older)  # not the language keyboard below it
    await sandbox.read_until(re.escape(text("zh-CN", "unbind.not_bound", name="赵敏")))
    await sandbox.type(":9.9")
    await sandbox.read_until(re.escape(text("zh-CN", "sandbox.no_button", button=":9.9")))


async def test_a_message_of_two_lines_carries_the_problem_and_its_measure(sandbox: Terminal) -> None:
    await sandbox.type(":as 2")
    await sandbox.type(f"/start {sandbox.codes['李华']}")
    await sandbox.read_until(r"李华\uff0c您好")
    await sandbox.type("/log")
    await sandbox.read_until(r"\] 工作约谈")
    await sandbox.press("工作约谈", r"被约谈人是谁")
    await sandbox.type("赵敏")
    await sandbox.read_until(r"\] 刚才")
    await sandbox.press("刚才", r"主题")
    await sandbox.type("落实两个责任")
    await sandbox.read_until(r"第 1 个问题")
    await sandbox.type("公务用车管理不严 \\")
    await sandbox.type("建立派车登记制度")
    await sandbox.read_until(r"整改期限")
    assert not any("整改措施是什么" in line for line in sandbox.shown)  # the measure came with the problem


async def test_another_demo_persons_invite_is_opened_as_that_person(sandbox: Terminal) -> None:
    await sandbox.type(f"/start {sandbox.codes['赵敏']}")  # typed while 张建平's chat is shown
    await sandbox.read_until(re.escape(text("zh-CN", "sandbox.switched", name="赵敏")))
    await sandbox.read_until(r"赵敏\uff0c您好")
    await sandbox.read_until(r"^\[赵敏\] >")
    await sandbox.type(f"/start {sandbox.codes['张建平']}")
    await sandbox.read_until(r"张建平\uff0c您好")  # 张建平's own slot is still free for him


async def test_the_sandbox_database_can_be_exported_with_the_cli_meanwhile(sandbox: Terminal, tmp_path: Path) -> None:
    shown = next(line for line in sandbox.shown if "demo.db" in line)
    database = Path(re.findall(r"(/[^\s（(]+/demo\.db)", shown)[0])
    assert database.exists()
    ledger = tmp_path / "ledger.xlsx"
    cli = await start_talkledger(
        "export",
        "--period",
        "2025",
        "--out",
        str(ledger),
        cwd=tmp_path,
        environment={"TALKLEDGER_DATABASE_URL": f"sqlite+aiosqlite:///{database}"},
    )
    _, err = await asyncio.wait_for(cli.communicate(), 120)
    assert cli.returncode == 0, err.decode()
    assert ledger.exists()
    await sandbox.type(":quit")
    assert await asyncio.wait_for(sandbox.process.wait(), 30) == 0
    assert not database.exists()  # a temporary folder, gone with the sandbox


async def test_try_moves_time_and_says_what_waits_for_quiet_hours_to_end(sandbox: Terminal) -> None:
    """The monthly report, reached by moving the sandbox clock: on the 1st at 23:00 it waits (quiet hours), and
    the sandbox says until when; at 08:00 it arrives."""
    await sandbox.type(f"/start {sandbox.codes['张建平']}")
    await sandbox.read_until(r"张建平\uff0c您好")
    await sandbox.type(":time soon")
    await sandbox.read_until(re.escape(text("zh-CN", "sandbox.time_help")[:20]))
    await sandbox.type(":time 23:00")
    day = date.fromisoformat((await sandbox.read_until(r"⏩ .*23:00")).split("⏩ 现在是 ")[1][:10])
    first = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    await sandbox.type(f":time +{(first - day).days}d")
    await sandbox.read_until(rf"⏩ .*{first} 23:00")
    await sandbox.read_until(rf"🌙 .*{first + timedelta(days=1)} 08:00")
    await sandbox.type(":time 08:00")
    await sandbox.read_until(re.escape(text("zh-CN", "report.monthly")))
    await sandbox.type(":quit")
    assert await asyncio.wait_for(sandbox.process.wait(), 30) == 0


async def test_try_in_wecom_links_a_demo_member_and_shows_cards_with_their_buttons_and_pages(tmp_path: Path) -> None:
    """The same terminal through the WeCom emulator: a card's buttons one to a line, as WeCom lists them; more
    choices than a card holds are paged, and › is pressed like any button; a press's short answer is a message."""
    async with terminal_running(tmp_path, "try", "--messenger", "wecom") as wecom:
        first = await wecom.read_until(r"\S")
        assert first.startswith(text("zh-CN", "sandbox.intro_wecom", url="")[:12])
        await wecom.read_until(r"^\[张建平\] >")
        await wecom.type(":as 2")
        await wecom.type(f"/start {wecom.codes['李华']}")
        await wecom.read_until(r"李华\uff0c您好")
        await wecom.type("/help")
        await wecom.read_until(r"/log")
        await wecom.type("/log")
        await wecom.read_until(r"\] ›$")  # the kinds do not fit on one card
        first_page = [label for label in wecom.buttons if label not in ("›", "‹")]
        await wecom.press("›", r"\] ‹")
        await wecom.read_until(r"\] ›$|^\[李华\] >")
        assert any(label not in first_page for label in wecom.buttons), wecom.shown[-8:]
        await wecom.type(":1")  # the newest card's first button: ‹ back to the first page
        await wecom.press("工作约谈", r"被约谈人是谁")
        await wecom.type("/lang")
        english = await wecom.read_until(r"English")
        assert re.fullmatch(r"\s+\[:\d+\.2\] English", english)  # one button to a line
        await wecom.type(":2")
        await wecom.read_until(r"Language switched to English")
        await wecom.type(":quit")
        assert await asyncio.wait_for(wecom.process.wait(), 30) == 0
