"""Telegram: python-telegram-bot handlers, the Application's assembly, its transport, polling and webhook, the
inbox and update ordering, the rate limiter, and the local Bot API emulator with its sandbox."""
