"""Updates python-telegram-bot cannot read must not stop the polling for everyone.

`Bot.get_updates` reads the whole batch at once: one update it cannot parse (a poll without
the fields the library requires, say) fails the batch, the Updater logs the raw data (user
texts and names in full) and fetches the same batch again at once, forever. `TolerantBot`
reads each update of a getUpdates answer on its own first: one that cannot be read is logged
once, with an excerpt, and replaced by a bare update carrying only its id, which no handler
takes and which moves the offset past it. An answer that is not a list of updates is a
network error: the Updater's retry loop then waits longer at each attempt.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.ext import ExtBot

from bot.channels.telegram.text import excerpt

logger = logging.getLogger(__name__)


def readable(raw: Any, bot: Any) -> dict[str, Any]:
    """The raw update itself when python-telegram-bot can read it, else a bare update with
    its id (logged once, with a 100-character excerpt of what the user wrote). Without an
    update id there is nothing to skip: NetworkError, not logged here."""
    try:
        Update.de_json(raw, bot)
        return raw
    except Exception as error:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise NetworkError("mise à jour sans identifiant") from error
        kinds = sorted(k for k in raw if k != "update_id")
        logger.warning("Mise à jour %s illisible, ignorée (%s : %s) : %r", update_id,
                       ", ".join(kinds), type(error).__name__, excerpt(said(raw)))
        return {"update_id": update_id}


def said(raw: Any) -> str:
    """What the user wrote in a raw update (text, caption or poll question), never names."""
    if not isinstance(raw, dict):
        return ""
    for key in ("text", "caption", "question", "data"):
        if isinstance(raw.get(key), str):
            return raw[key]
    for value in raw.values():
        if isinstance(value, dict) and (found := said(value)):
            return found
    return ""


class TolerantBot(ExtBot[Any]):
    """The Application's bot: getUpdates answers are read one update at a time."""

    async def _post(self, endpoint: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, *args, **kwargs)
        if endpoint != "getUpdates":
            return result
        try:
            if not isinstance(result, list):
                raise NetworkError("pas une liste de mises à jour")
            return [readable(raw, self) for raw in result]
        except NetworkError as error:
            logger.warning("Réponse de getUpdates illisible (%s) : nouvel essai plus tard",
                           error.message)
            raise
