"""Log set-up: plain lines for people or one JSON object a line for machines, never showing the bot's token."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redacting(logging.Formatter):
    """Any formatter, with the token (which PTB and httpx put in URLs) replaced wherever it appears."""

    def __init__(self, secrets: tuple[str, ...], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, "<redacted>")
        return line


class JsonLines(Redacting):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if hasattr(record, "update_id"):  # given by the error handler
            entry["update_id"] = record.update_id
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


def configure(log_format: str, verbose: bool, secrets: tuple[str, ...]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines(secrets) if log_format == "json" else Redacting(secrets, TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "talkledger", False)]:
        root.removeHandler(old)
    handler.talkledger = True  # type: ignore[attr-defined]  # ours to replace on the next call
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request is noise at INFO
