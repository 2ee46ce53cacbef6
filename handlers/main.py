"""The `talkledger` entry point: the messenger-free command line (bot/cli.py) with the commands that start a
messenger — `run`, `try`, and no command at all — handed in, since the core may not import a messenger."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys

from bot import cli
from bot.commands import Command
from bot.config import Config
from bot.i18n import text


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, RUNTIME)


async def _start(config: Config, arguments: argparse.Namespace) -> int:
    """No command: run the bot if a messenger is configured, otherwise open the sandbox."""
    if config.telegram.token or config.wecom is not None:
        return await _run(config, arguments)
    print(text(arguments.language, "cli.no_token_trying"))
    return await _try(config, arguments)


async def _run(config: Config, arguments: argparse.Namespace) -> int:
    language = arguments.language
    messenger = getattr(arguments, "messenger", None) or (
        "telegram" if config.telegram.token or not config.wecom else "wecom"
    )
    if messenger == "telegram" and not config.telegram.token:
        print(text(language, "cli.no_token"), file=sys.stderr)
        return 1
    if messenger == "wecom" and config.wecom is None:
        print(text(language, "cli.no_wecom"), file=sys.stderr)
        return 1
    if arguments.webhook and messenger == "telegram" and not config.webhook.url:
        print(text(language, "cli.no_webhook_url"), file=sys.stderr)
        return 1
    from handlers.telegram.app import serve  # noqa: PLC0415  (loaded only to run the bot: --help stays quick)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    if messenger == "wecom":
        from handlers.wecom.app import in_wecom  # noqa: PLC0415

        wecom = config.wecom
        assert wecom is not None
        await serve(
            config,
            stop,
            use_webhook=False,
            activate=lambda fence: in_wecom(config, fence=fence),
            on_active=lambda app: print(
                text(
                    language,
                    "cli.running_wecom",
                    agent_id=wecom.agent_id,
                    url=f"http://{wecom.listen}:{wecom.port}{wecom.callback_path}",
                ),
                flush=True,
            ),
            on_standby=lambda: print(text(language, "cli.standby"), flush=True),
        )
        return 0
    await serve(
        config,
        stop,
        use_webhook=arguments.webhook,
        on_active=lambda app: print(text(language, "cli.running", username=app.bot.username), flush=True),
        on_standby=lambda: print(text(language, "cli.standby"), flush=True),
    )
    return 0


async def _try(config: Config, arguments: argparse.Namespace) -> int:
    # Loaded only for the sandbox, and only the messenger tried.
    from handlers.sandbox import SandboxMessenger, try_bot  # noqa: PLC0415

    messenger: SandboxMessenger
    if getattr(arguments, "messenger", None) == "wecom":  # no command at all: Telegram's sandbox
        from handlers.wecom.sandbox import WeComSandbox  # noqa: PLC0415

        messenger = WeComSandbox()
    else:
        from handlers.telegram.sandbox import TelegramSandbox  # noqa: PLC0415

        messenger = TelegramSandbox()
    # The sandbox is a conversation at this terminal: it speaks the command line's language.
    organisation = dataclasses.replace(config.organisation, default_language=arguments.language)
    return await try_bot(dataclasses.replace(config, organisation=organisation), messenger)


RUNTIME: dict[str, Command] = {"start": _start, "run": _run, "try": _try}
