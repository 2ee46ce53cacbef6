"""Files people send: fetched from the messenger so that they are kept in our database."""

from __future__ import annotations

from telegram import Message

from bot.talks.draft import MAX_ATTACHMENT_BYTES, IncomingFile
from handlers.telegram.common import Context


async def download(context: Context, message: Message) -> tuple[IncomingFile | None, bytes | None]:
    """A photo or document in the message, and its bytes (None when too large to fetch)."""
    if message.photo:
        largest = message.photo[-1]
        incoming = IncomingFile("photo", largest.file_id, f"photo_{largest.file_unique_id}.jpg", largest.file_size or 0)
    elif message.document is not None:
        document = message.document
        incoming = IncomingFile("document", document.file_id, document.file_name or "document", document.file_size or 0)
    else:
        return None, None
    if incoming.size > MAX_ATTACHMENT_BYTES:
        return incoming, None
    file = await context.bot.get_file(incoming.file_id)
    return incoming, bytes(await file.download_as_bytearray())
