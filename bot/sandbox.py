"""`talkledger try`: the emulator, the real bot on a fresh demo database, and a terminal chat.

Type as any demo person; `:as N` switches person, `:N` presses button N, `:people` lists them, `:quit` ends.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot import enrollment, roster
from bot.app import TalkApplication, running
from bot.clock import Clock, SystemClock
from bot.config import Config, TelegramConfig
from bot.emulator import Emulator, EmulatorServer
from bot.i18n import text
from bot.transcript import ChatUser, EmulatorClient
from storage import people
from storage.db import ensure_schema, open_engine, sessions

SANDBOX_TOKEN = "100001:SANDBOX-token-not-for-telegram-000"
FIRST_USER_ID = 1001

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


async def try_bot(config: Config, stdin: TextIO = sys.stdin, out: Callable[[str], None] = print) -> int:
    language = config.organisation.default_language
    with tempfile.TemporaryDirectory(prefix="talkledger-try-") as folder:
        emulator = Emulator(token=SANDBOX_TOKEN)
        server = EmulatorServer(emulator)
        url = await server.start()
        demo = dataclasses.replace(
            config,
            telegram=TelegramConfig(token=SANDBOX_TOKEN, api_base_url=url, bot_username=emulator.bot_username),
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}",
            outbox=dataclasses.replace(config.outbox, sweep_seconds=2),
        )
        try:
            invites = await seed_demo(demo)
            async with running(demo, poll_timeout=1) as application, EmulatorClient(url) as client:
                users = [
                    ChatUser(client, application, FIRST_USER_ID + index, name, language_code=language)
                    for index, (name, _, _) in enumerate(invites)
                ]
                out(text(language, "sandbox.intro", url=url))
                for index, (name, position, code) in enumerate(invites, start=1):
                    out(text(language, "sandbox.person", number=index, name=name, position=position, code=code))
                return await _chat(application, users, stdin, out, language)
        finally:
            await server.stop()


async def _chat(
    application: TalkApplication, users: list[ChatUser], stdin: TextIO, out: Callable[[str], None], language: str
) -> int:
    current = users[0]
    loop = asyncio.get_running_loop()
    while True:
        out(text(language, "sandbox.prompt", name=current.first_name))
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            return 0  # end of input
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
        if line.startswith(":as"):
            choice = line[3:].strip()
            if choice.isdigit() and 1 <= int(choice) <= len(users):
                current = users[int(choice) - 1]
            else:
                out(text(language, "sandbox.bad_person", count=len(users)))
            continue
        if line.startswith(":") and line[1:].isdigit():
            labels = await current.buttons()
            number = int(line[1:])
            if not 1 <= number <= len(labels):
                out(text(language, "sandbox.no_button"))
                continue
            answer = await current.press(labels[number - 1])
            if answer.get("text"):
                out(f"  ({answer['text']})")
        elif line.startswith(":"):
            out(text(language, "sandbox.help"))
            continue
        else:
            await current.send(line)
        for message in current.replies:
            out(_render(message))


def _render(message: dict[str, object]) -> str:
    lines = [f"🤖 {message.get('text') or message.get('caption') or ''}"]
    markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    labels = [button["text"] for row in rows for button in row]
    lines += [f"   [:{number}] {label}" for number, label in enumerate(labels, start=1)]
    return "\n".join(lines)
