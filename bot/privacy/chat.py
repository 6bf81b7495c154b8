"""/oubli (erase what concerns the user, after a confirmation), /abonner and /desabonner."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bot.broadcast.store import BroadcastStore
from bot.core import messages
from bot.core.callbacks import payload_number
from bot.core.registry import ButtonRoute, Command
from bot.core.replies import Button, Conversation, Outgoing, is_group
from bot.privacy import erasure as privacy

if TYPE_CHECKING:
    from bot.core.host import Host


def erased_summary(counts: dict[str, int]) -> str | None:
    """What was erased, in words ("votre questionnaire…, 3 rappels"); None if nothing."""
    parts = []
    for kind in privacy.ERASED:
        n = counts.get(kind, 0)
        if n:
            one, many = messages.ERASED_LABELS[kind]
            parts.append((one if n == 1 else many).format(n=n))
    if not parts:
        return None
    return ", ".join(parts[:-1]) + (" et " if len(parts) > 1 else "") + parts[-1]


class PrivacyChat:
    """The user's control over what is kept: erase it, opt in or out of announcements."""

    name: ClassVar[str] = "confidentialité"
    commands: ClassVar[tuple[Command, ...]] = (
        Command("abonner", "subscribe", "recevoir les annonces de l'équipe du programme"),
        Command("desabonner", "unsubscribe", "ne plus recevoir ces annonces"),
        Command("oubli", "forget", "effacer ce que j'ai enregistré vous concernant"),
    )
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (ButtonRoute("o", "button"),)
    actions: ClassVar[dict[str, str]] = {}

    def __init__(self, host: Host, broadcasts: BroadcastStore | None = None) -> None:
        self.host = host
        self.broadcasts = broadcasts or BroadcastStore(host.store.db)

    async def forget(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/oubli: what would be erased, with "Oui, tout effacer" / "Non"."""
        seq = await self._seq(conversation)
        text = messages.FORGET_ASK_GROUP if is_group(conversation.chat_id) \
            else messages.FORGET_ASK
        return [Outgoing(text=text, buttons=((Button(messages.FORGET_YES, f"o:y:{seq}"),
                                              Button(messages.FORGET_NO, f"o:n:{seq}")),))]

    async def button(self, conversation: Conversation, value: str) -> list[Outgoing] | None:
        """A press of /oubli's buttons (bound to the conversation's turn); None if stale."""
        choice, _, seq = value.partition(":")
        if choice not in ("y", "n") or \
                payload_number(seq) != await self._seq(conversation):
            return None
        if choice == "n":
            return [Outgoing(text=messages.FORGET_KEPT, replace=True)]
        store = self.host.store
        await store.events.flush()   # the chat's events still in memory are erased too
        counts = await privacy.erase(store.db, conversation.chat_id, conversation.user_id)
        what = erased_summary(counts)
        lines = [messages.FORGET_DONE.format(what=what) if what else messages.FORGET_NOTHING]
        if is_group(conversation.chat_id):
            lines.append(messages.FORGET_DONE_GROUP)
        lines.append(messages.FORGET_AFTER)
        return [Outgoing(text="\n".join(lines), replace=True)]

    async def subscribe(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/abonner: this chat receives the announcements."""
        done = await self.broadcasts.subscribe(conversation.chat_id, self.host.clock())
        return [Outgoing(text=messages.SUBSCRIBED if done else messages.ALREADY_SUBSCRIBED)]

    async def unsubscribe(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/desabonner: this chat no longer receives them."""
        done = await self.broadcasts.unsubscribe(conversation.chat_id)
        return [Outgoing(text=messages.UNSUBSCRIBED if done else messages.NOT_SUBSCRIBED)]

    async def _seq(self, conversation: Conversation) -> int:
        row = await self.host.store.conversation(conversation.chat_id,
                                                      conversation.user_id)
        return row.seq if row else 0
