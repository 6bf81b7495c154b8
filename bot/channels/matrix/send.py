"""Sending to a Matrix room, with the homeserver's answers as the sweep's delivery errors.

- M_LIMIT_EXCEEDED → RetryLater(retry_after_ms): the client is set never to retry a 429 by
  itself (bot/channels/matrix/account.py), so a wait is always the sweep's decision.
- M_FORBIDDEN (a room the assistant is not in any more) → Blocked (like Telegram's 403).
- A room the client has not synced yet → Transient.
- Another refusal (4xx) → Rejected; a 5xx → Transient.
- No connection → Transient (nothing left); a timeout or a connection cut once the request
  was out → MaybeSent (nio already retried it with the same transaction id, which the
  homeserver deduplicates; past that, it is not sent again: at most once).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import nio

from bot.delivery.errors import Blocked, MaybeSent, Rejected, RetryLater, Transient

GONE = ("M_FORBIDDEN", "M_NOT_FOUND")


def translate(error: nio.ErrorResponse) -> Exception:
    """The sweep's exception for an error answer of the homeserver."""
    code = error.status_code or ""
    if code == "M_LIMIT_EXCEEDED":
        return RetryLater((error.retry_after_ms or 1000) / 1000, str(error))
    if code in GONE:
        return Blocked(str(error))
    status = getattr(error.transport_response, "status", None) or 0
    if 400 <= status < 500:
        return Rejected(str(error))
    return Transient(str(error))


async def send_content(client: nio.AsyncClient, room_id: str, content: dict[str, Any],
                       message_type: str = "m.room.message") -> str:
    """Send one event (encrypted if the room is); its event id, or a delivery error."""
    try:
        answer = await client.room_send(room_id, message_type, content,
                                        ignore_unverified_devices=True)
    except nio.LocalProtocolError as exc:  # a room not synced yet (a departure is seen as
        raise Transient(str(exc)) from exc  # a membership event: bot/channels/matrix/channel.py)
    except aiohttp.ClientConnectorError as exc:
        raise Transient(str(exc)) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise MaybeSent(repr(exc)) from exc
    if isinstance(answer, nio.ErrorResponse):
        raise translate(answer)
    return str(answer.event_id)
