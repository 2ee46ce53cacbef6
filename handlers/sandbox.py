"""`talkledger try`: a messenger's emulator, the real bot on a fresh demo database, and a terminal chat.

The terminal is the same for every messenger; what differs (starting the emulator and the bot on it, the demo
people as that messenger's accounts) is a `SandboxMessenger`: handlers/telegram/sandbox.py, handlers/wecom/sandbox.py.
Type as any demo person; `:as N` switches person, `:M.N` presses button N of message M (`:N`: of the newest
message with buttons), a line ending in a backslash goes on on the next line (one message of several lines), `:people`
lists them, `:quit` ends. The database is a file in a temporary folder, deleted at the end; its path is printed so
that the CLI can be tried on it meanwhile.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO

from bot.clock import Clock, ShiftedClock, SystemClock
from bot.config import Config
from bot.followup.reminders import next_allowed
from bot.i18n import text
from bot.roster import enrollment
from bot.roster import files as roster
from bot.services import Services
from handlers.telegram.app import TalkApplication
from storage import followup, people
from storage.db import ensure_schema, open_engine, sessions

BUTTON = re.compile(r"^:(?:(\d+)\.)?(\d+)$")  # :N (newest keyboard) or :M.N (message M)
START = re.compile(r"^/start\s+(\S+)$")

# A small roster from the Lanzhou article: the commission, two district leaders, three unit heads.
DEMO_ROSTER = [
    ["单位", "姓名", "职务", "级别", "角色"],
    ["兰州市/市纪委", "张建平", "市纪委书记", "地厅级", "commission@兰州市,admin@兰州市"],
    ["兰州市/城关区", "李华", "区委书记", "县处级", "leader@兰州市/城关区"],
    ["兰州市/榆中县", "王强", "县委书记", "县处级", "leader@兰州市/榆中县"],
    ["兰州市/城关区/建设局", "赵敏", "局长", "乡科级", ""],
    ["兰州市/城关区/教育局", "孙磊", "局长", "乡科级", ""],
    ["兰州市/榆中县/交通局", "周涛", "局长", "乡科级", ""],
]


async def seed_demo(config: Config, clock: Clock | None = None) -> list[tuple[str, str, str]]:
    """Create the demo roster; (name, position, invite code) for each person."""
    clock = clock or SystemClock()
    engine = open_engine(config.database_url)
    try:
        await ensure_schema(engine)
        rows, errors = roster.parse_rows(DEMO_ROSTER, config.organisation.rank_levels)
        assert not errors, errors
        async with sessions(engine).begin() as session:
            await roster.import_rows(session, rows, clock.now(), actor="sandbox")
        async with sessions(engine).begin() as session:
            invites = []
            for person in await people.everyone(session):
                code, _ = await enrollment.create_invite(
                    session, person, now=clock.now(), valid_days=config.invite_valid_days, actor="sandbox"
                )
                invites.append((person.name, person.position, code))
        order = {row[1]: index for index, row in enumerate(DEMO_ROSTER)}
        return sorted(invites, key=lambda invite: order[invite[0]])
    finally:
        await engine.dispose()


class SandboxUser(Protocol):
    """A demo person's account in the messenger (handlers/*/transcript.py): what they send, press and see."""

    first_name: str
    replies: list[dict[str, Any]]  # Bot API-shaped messages the bot sent or changed after the last action

    async def send(self, text: str) -> list[dict[str, Any]]: ...

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> dict[str, Any]: ...

    async def unseen(self) -> list[dict[str, Any]]: ...

    async def keyboard(self, message_id: int | None = None) -> tuple[int, list[list[dict[str, Any]]]] | None: ...


@dataclass
class SandboxChat:
    """The bot running in a messenger's emulator, and the demo people there (in the roster's order)."""

    application: TalkApplication
    users: list[SandboxUser]
    intro: str  # the first line shown: which emulator, where
    toasts: bool  # a press's short answer is shown apart (Telegram); False: it comes as a message (WeCom)


class SandboxMessenger(Protocol):
    def start(self, config: Config, clock: ShiftedClock, names: list[str]) -> AbstractAsyncContextManager[SandboxChat]:
        """The emulator and the bot on it (config: the demo database's), with one account per name."""
        ...


async def try_bot(
    config: Config, messenger: SandboxMessenger, stdin: TextIO = sys.stdin, out: Callable[[str], None] = print
) -> int:
    language = config.organisation.default_language
    with tempfile.TemporaryDirectory(prefix="talkledger-try-") as folder:
        database = Path(folder) / "demo.db"
        demo = dataclasses.replace(
            config,
            database_url=f"sqlite+aiosqlite:///{database}",
            outbox=dataclasses.replace(config.outbox, sweep_seconds=2),
        )
        clock = ShiftedClock()  # `:time` moves it forward
        invites = await seed_demo(demo, clock)
        async with messenger.start(demo, clock, [name for name, _, _ in invites]) as chat:
            out(chat.intro)
            for index, (name, position, code) in enumerate(invites, start=1):
                out(text(language, "sandbox.person", number=index, name=name, position=position, code=code))
            out(text(language, "sandbox.database", path=database))
            out(text(language, "sandbox.help"))
            codes = {code: user for (_, _, code), user in zip(invites, chat.users, strict=True)}
            return await _chat(chat, codes, stdin, out, language, clock)


async def _chat(
    chat: SandboxChat,
    codes: dict[str, SandboxUser],
    stdin: TextIO,
    out: Callable[[str], None],
    language: str,
    clock: ShiftedClock,
) -> int:
    application, users = chat.application, chat.users
    current = users[0]
    loop = asyncio.get_running_loop()
    while True:
        out(text(language, "sandbox.prompt", name=current.first_name))
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return 0  # end of input
        line = line.rstrip("\r\n")
        while line.endswith("\\"):  # a message of several lines: each but the last ends in a backslash
            out(text(language, "sandbox.more"))
            following = await loop.run_in_executor(None, stdin.readline)
            line = line[:-1] + "\n" + following.rstrip("\r\n")
        line = line.strip()
        for message in await current.unseen():  # reminders and notices that came while you were typing
            out(_render(message))
        if not line:
            continue
        if line in (":quit", ":q", ":exit"):
            return 0
        if line == ":people":
            for index, user in enumerate(users, start=1):
                out(f"  {index}. {user.first_name}")
            continue
        if line.startswith(":time"):
            await _move_time(application, clock, line[5:].strip(), out, language)
            for message in await current.unseen():
                out(_render(message))
            continue
        if line.startswith(":as"):
            choice = line[3:].strip()
            if choice.isdigit() and 1 <= int(choice) <= len(users):
                current = users[int(choice) - 1]
            else:
                out(text(language, "sandbox.bad_person", count=len(users)))
            continue
        button = BUTTON.match(line)
        if button:
            if not await _press(current, button, out, language, toasts=chat.toasts):
                continue
        elif line.startswith(":"):
            out(text(language, "sandbox.help"))
            continue
        else:
            opened = START.match(line)
            owner = codes.get(opened.group(1)) if opened else None
            if owner is not None and owner is not current:
                # A demo person's invite opened from another's chat would link the wrong account: open it as them.
                current = owner
                out(text(language, "sandbox.switched", name=current.first_name))
            await current.send(line)
        for message in current.replies:
            out(_render(message))


async def _press(
    user: SandboxUser, button: re.Match[str], out: Callable[[str], None], language: str, *, toasts: bool
) -> bool:
    """Press the button `:N` (newest keyboard) or `:M.N` (message M) names; False after saying there is none."""
    message_id = int(button.group(1)) if button.group(1) else None
    found = await user.keyboard(message_id)
    buttons = [pressable for row in found[1] for pressable in row] if found else []
    number = int(button.group(2))
    if found is None or not 1 <= number <= len(buttons):
        out(text(language, "sandbox.no_button", button=button.group(0)))
        return False
    answer = await user.press(data=buttons[number - 1]["callback_data"], message_id=found[0])
    if toasts and answer.get("text"):
        out(f"  ({answer['text']})")
    return True


def time_step(said: str, now_local: datetime) -> timedelta | None:
    """How far `:time` moves the clock: +7d, +3h, +30m, or to the next HH:MM (local); None when not understood."""
    relative = re.fullmatch(r"\+(\d{1,4})([dhm])", said)
    if relative:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[relative.group(2)]
        return timedelta(**{unit: int(relative.group(1))})
    at = re.fullmatch(r"(\d{1,2}):(\d{2})", said)
    if at and int(at.group(1)) < 24 and int(at.group(2)) < 60:
        target = now_local.replace(hour=int(at.group(1)), minute=int(at.group(2)), second=0, microsecond=0)
        return target - now_local + (timedelta(days=1) if target <= now_local else timedelta(0))
    return None


async def _move_time(
    application: TalkApplication, clock: ShiftedClock, said: str, out: Callable[[str], None], language: str
) -> None:
    """`:time`: move the clock, then plan and send what falls due, saying what waits for the allowed hours."""
    services: Services = application.bot_data["services"]
    zone, policy = services.config.organisation.zone, services.config.reminders
    step = time_step(said, clock.now().astimezone(zone))
    if step is None:
        out(text(language, "sandbox.time_help"))
        return
    clock.shift(step)
    now = clock.now()
    out(text(language, "sandbox.time_now", now=f"{now.astimezone(zone):%Y-%m-%d %H:%M}"))
    await application.bot_data["sweeper"].sweep()
    until = next_allowed(now, "due", policy, zone)
    if until > now:  # quiet hours (or a day off): what fell due waits for them to end
        async with services.sessions() as session:
            held = await followup.planned_between(session, now - timedelta(minutes=1), until)
        if held:
            out(text(language, "sandbox.held", count=held, until=f"{until.astimezone(zone):%Y-%m-%d %H:%M}"))


def _render(message: dict[str, object]) -> str:
    """A bot message as the terminal shows it: its text, then its keyboard row by row, each button with the
    `:M.N` that presses it."""
    lines = [f"🤖 {message.get('text') or message.get('caption') or ''}"]
    document = message.get("document")
    if isinstance(document, dict):  # a file: its name, so that one sees it came
        lines.append(f"   📎 {document.get('file_name') or ''}")
    markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    number = 0
    for row in rows:
        shown = []
        for button in row:
            number += 1
            shown.append(f"[:{message['message_id']}.{number}] {button['text']}")
        lines.append("   " + "  ".join(shown))
    return "\n".join(lines)
