"""The engine's replies as Matrix message contents: `body` in plain text, `formatted_body` in
HTML, buttons as numbered options under the text (Matrix has no inline keyboard).

The engine's text is already HTML-safe (user text escaped, Telegram's small tag set: b, i, u,
s, a, code, pre, blockquote), which Matrix clients render as is; only line breaks become
`<br>` (outside `<pre>`). Labels are escaped here.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.core.formatting import plain
from bot.core.options import numbered
from bot.core.replies import Outgoing

PRE = re.compile(r"(<pre>.*?</pre>)", re.DOTALL)
HINT = "Répondez par le numéro ou le libellé."


def matrix_html(text: str) -> str:
    """Telegram-style HTML (newlines are line breaks) as Matrix HTML."""
    parts = PRE.split(text)
    return "".join(part if part.startswith("<pre>") else part.replace("\n", "<br>")
                   for part in parts)


def message(reply: Outgoing, *, reply_to: str | None = None) -> dict[str, Any]:
    """An m.text (m.notice-free: users answer it) content for one reply."""
    body, formatted = plain(reply.text), matrix_html(reply.text)
    if reply.buttons:
        lines = ["  ".join(cells) for cells in numbered(reply.buttons)]
        body += "\n\n" + "\n".join(lines)
        formatted += "<br><br>" + "<br>".join(html.escape(line, quote=False) for line in lines)
    content: dict[str, Any] = {"msgtype": "m.text", "body": body,
                               "format": "org.matrix.custom.html", "formatted_body": formatted}
    if reply_to is not None:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def file_message(filename: str, mimetype: str, size: int, *, url: str,
                 keys: dict[str, Any] | None, image: bool) -> dict[str, Any]:
    """An m.file or m.image content: `url` in the clear, or `file` (url and keys) when the
    upload was encrypted for an encrypted room."""
    content: dict[str, Any] = {"msgtype": "m.image" if image else "m.file", "body": filename,
                               "filename": filename,
                               "info": {"mimetype": mimetype, "size": size}}
    if keys is None:
        content["url"] = url
    else:
        content["file"] = {**keys, "url": url}
    return content
