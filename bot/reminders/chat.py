"""/rappels in the chat: list, cancel one or all, export .ics, and schedule a confirmed milestone.

Entering a milestone is the flow flows/rappels.yaml; its recap's button runs the action
`programmer_rappels` (`ReminderChat.schedule`). The other buttons are "r:…" payloads:
"r:l" list, "r:n" new milestone, "r:i" export, "r:c" choose a reminder to cancel,
"r:c:<id>" cancel it, "r:a" ask to cancel all, "r:t" cancel all. A reminder id is only ever
looked up together with the chat that pressed, so a forged id of another chat does nothing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from bot.core import formatting, messages
from bot.core.callbacks import checked, payload_number
from bot.core.registry import ButtonRoute, Command
from bot.core.replies import MAX_MESSAGE_LENGTH, Attachment, Button, Conversation, Outgoing
from bot.dialogue.refine import territory_prefill
from bot.programme.deadlines import MILESTONES, RULES, deadlines_for
from bot.programme.flowrules import milestone_of, territory_of
from bot.programme.reminder_policy import clock_time, plan, policy_for
from bot.reminders import ics
from bot.reminders.store import ReminderStore, StoredReminder

if TYPE_CHECKING:
    from bot.content.loader import Content
    from bot.core.host import Host

FLOW = "rappels"
MAX_CANCEL_BUTTONS = 20
DEADLINE_LABELS = {rule.kind: rule.label for rules in RULES.values() for rule in rules}


class ReminderChat:
    """/rappels, its "r:…" buttons and the flow's `programmer_rappels` action."""

    name: ClassVar[str] = "rappels"
    commands: ClassVar[tuple[Command, ...]] = (
        Command("rappels", "command", "être prévenu avant chaque échéance du recrutement"),)
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (ButtonRoute("r", "button"),)
    actions: ClassVar[dict[str, str]] = {"programmer_rappels": "schedule"}
    drives_flows: ClassVar[tuple[str, ...]] = (FLOW,)

    def __init__(self, host: Host, reminders: ReminderStore | None = None) -> None:
        """`reminders` defaults to the store's own connection (see README, « Rappels »)."""
        self.host = host
        self.reminders = reminders or ReminderStore(host.store.db)

    # --- entry points -----------------------------------------------------------------

    async def command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/rappels: the chat's reminders and what can be done; the flow if there are none."""
        chat = conversation.chat_id
        if not await self.reminders.pending(chat) and \
                not await self.reminders.milestones(chat) and FLOW in self.content.flows:
            return await self.new(conversation)
        return [await self.home(conversation)]

    async def button(self, conversation: Conversation, value: str) -> list[Outgoing]:
        """A "r:…" button."""
        action, _, argument = value.partition(":")
        if action == "l" and not argument:
            return [await self.home(conversation)]
        if action == "n" and not argument and FLOW in self.content.flows:
            return await self.new(conversation)
        if action == "i" and not argument:
            return [await self.export(conversation)]
        if action == "c" and not argument:
            return [await self.choose(conversation)]
        if action == "c" and (reminder_id := payload_number(argument)) is not None:
            return [await self.cancel(conversation, reminder_id)]
        if action == "a" and not argument:
            return [await self.ask_cancel_all(conversation)]
        if action == "t" and not argument:
            count = await self.reminders.cancel_all(conversation.chat_id, self.clock())
            note = RESET_NONE if not count else \
                f"C'est fait : {formatting.counted(count, 'rappel')} " \
                f"annulé{formatting.plural_s(count)}."
            return [await self.home(conversation, note)]
        return [self.host.menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]

    async def new(self, conversation: Conversation) -> list[Outgoing]:
        """Start the flow, with the territory the chat already gave (asked once per chat)."""
        known = await self.reminders.known_territory(conversation.chat_id)
        prefill = territory_prefill(self.content.flows[FLOW], known,
                                    self.content.params.territories) if known else {}
        return await self.host.start_flow(conversation, FLOW, prefill)

    # --- screens ------------------------------------------------------------------------

    async def home(self, conversation: Conversation, note: str | None = None) -> Outgoing:
        """The pending reminders and the stored milestones, with the actions."""
        chat = conversation.chat_id
        pending = await self.reminders.pending(chat)
        milestones = await self.reminders.milestones(chat)
        lines = [f"{note}\n"] if note else []
        lines.append("<b>Rappels d'échéances</b>")
        if pending:
            lines += ["Je vous écrirai :", describe_pending(pending)]
        else:
            lines.append("Aucun rappel programmé.")
        if milestones:
            lines.append("\nÉtapes enregistrées :")
            for stored in milestones:
                sentence = MILESTONES[stored.milestone.kind].sentence.format(
                    date=formatting.date(stored.milestone.date))
                lines.append(f"• {html.escape(sentence, quote=False)}")
        rows: list[tuple[Button, ...]] = []
        first = [Button("Nouvelle étape", "r:n")] if FLOW in self.content.flows else []
        if milestones:
            first.append(Button("Exporter (.ics)", "r:i"))
        rows.append(tuple(first))
        if pending:
            rows.append((Button("Annuler un rappel", "r:c"), Button("Tout annuler", "r:a")))
        rows.append((Button(messages.MENU_BUTTON, "m"),))
        return Outgoing(text=_cut("\n".join(lines), MAX_MESSAGE_LENGTH),
                        buttons=tuple(r for r in rows if r))

    async def choose(self, conversation: Conversation) -> Outgoing:
        """One button per pending reminder (the first ones), to cancel it."""
        pending = await self.reminders.pending(conversation.chat_id)
        if not pending:
            return await self.home(conversation)
        rows = []
        for reminder in pending[:MAX_CANCEL_BUTTONS]:
            local = reminder.local_due_at
            label = DEADLINE_LABELS.get(reminder.deadline_kind, reminder.deadline_kind)
            rows.append((Button(f"✖ {local:%d/%m/%Y} · {label}",
                                checked(f"r:c:{reminder.id}")),))
        rows.append((Button(messages.BACK, "r:l"),))
        text = "Quel rappel voulez-vous annuler ?"
        if len(pending) > MAX_CANCEL_BUTTONS:
            text += f" (les {MAX_CANCEL_BUTTONS} prochains)"
        return Outgoing(text=text, buttons=tuple(rows))

    async def cancel(self, conversation: Conversation, reminder_id: int) -> Outgoing:
        """Cancel one reminder of this chat (another chat's id is simply not found)."""
        chat = conversation.chat_id
        if not await self.reminders.cancel(chat, reminder_id, self.clock()):
            return await self.home(conversation, "Ce rappel n'est plus programmé.")
        reminder = await self.reminders.get(reminder_id)
        assert reminder is not None and reminder.chat_id == chat
        local = reminder.local_due_at
        note = (f"Rappel du {formatting.date(local.date())} à {clock_time(local)} annulé "
                f"({html.escape(DEADLINE_LABELS.get(reminder.deadline_kind, ''), quote=False)}"
                ").")
        return await self.home(conversation, note)

    async def ask_cancel_all(self, conversation: Conversation) -> Outgoing:
        """Confirm before cancelling every reminder."""
        count = len(await self.reminders.pending(conversation.chat_id))
        if not count:
            return await self.home(conversation, RESET_NONE)
        which = f"vos {formatting.counted(count, 'rappel')}" if count > 1 else "votre rappel"
        return Outgoing(
            text=(f"Annuler {which} ? Les étapes restent enregistrées (pour l'export .ics)."),
            buttons=((Button("Oui, tout annuler", "r:t"), Button("Non, garder", "r:l")),))

    async def export(self, conversation: Conversation) -> Outgoing:
        """The deadlines of the chat's milestones as an .ics file."""
        chat = conversation.chat_id
        milestones = await self.reminders.milestones(chat)
        if not milestones:
            return await self.home(conversation, "Aucune étape enregistrée : rien à exporter.")
        params = self.content.params
        policies = {m.id: policy_for(params.territories[m.territory]) for m in milestones
                    if m.territory in params.territories}
        data = ics.milestones_calendar(chat, [(m.id, m.milestone) for m in milestones],
                                       params, now=self.clock(), policies=policies)
        return Outgoing(
            text=("Vos échéances au format agenda : ouvrez ce fichier pour les ajouter à "
                  "votre agenda (Outlook, Google Agenda, Thunderbird…)."),
            file=Attachment(filename=ics.FILENAME, data=data, kind="document"),
            buttons=((Button("Mes rappels", "r:l"), Button(messages.MENU_BUTTON, "m")),))

    # --- the flow's action ----------------------------------------------------------------

    async def schedule(self, conversation: Conversation,
                       values: Mapping[str, Any]) -> list[Outgoing]:
        """Record the confirmed milestone and its reminders (planned again, now)."""
        params = self.content.params
        territory = territory_of(params, values)
        milestone = milestone_of(values)
        now = self.clock()
        schedule = plan(deadlines_for(milestone, params), territory.timezone, now=now,
                        policy=policy_for(territory))
        chat = conversation.chat_id
        replaced = [m for m in await self.reminders.milestones(chat)
                    if m.milestone.kind == milestone.kind]
        await self.reminders.add_milestone(
            chat_id=chat, user_id=conversation.user_id, milestone=milestone,
            territory=territory.id, timezone=territory.timezone,
            reminders=schedule.planned, now=now)
        label = html.escape(MILESTONES[milestone.kind].label, quote=False)
        if schedule.planned:
            first = schedule.planned[0].local_due_at
            count = len(schedule.planned)
            text = (f"✔ C'est programmé : {formatting.counted(count, 'rappel')} pour « {label} ». "
                    f"Premier rappel le {formatting.date(first.date())} à "
                    f"{clock_time(first)} (heure de {html.escape(territory.name)}).")
        else:
            text = (f"✔ Étape « {label} » enregistrée. Ses échéances sont passées : aucun "
                    "rappel ne sera envoyé, mais vous pouvez les exporter dans votre agenda.")
        if replaced:
            text += (f"\nElle remplace l'étape du {formatting.date(replaced[0].milestone.date)}"
                     " : ses rappels restants sont annulés.")
        return [Outgoing(text=text, buttons=(
            (Button("Mes rappels", "r:l"), Button("Exporter (.ics)", "r:i")),
            (Button(messages.MENU_BUTTON, "m"),)))]

    async def remember_territory(self, conversation: Conversation,
                                 answers: Mapping[str, object]) -> None:
        """A territory answered in any flow becomes the chat's (for /rappels' time zone)."""
        if "territoire" not in answers:
            return
        try:
            territory = territory_of(self.content.params, answers)
        except ValueError:  # "autre" not answered yet
            return
        chat = conversation.chat_id
        if await self.reminders.known_territory(chat) != territory.id:
            await self.reminders.remember_territory(chat, territory.id, self.clock())

    # --- helpers --------------------------------------------------------------------------

    @property
    def content(self) -> Content:
        return self.host.content

    def clock(self) -> dt.datetime:
        return self.host.clock()


RESET_NONE = "Aucun rappel n'était programmé."


def _cut(text: str, limit: int) -> str:
    """A listing kept under Telegram's limit (the oldest lines first, then "…")."""
    if len(text) <= limit:
        return text
    return text[:limit - 2].rsplit("\n", 1)[0] + "\n…"


def describe_pending(reminders: Sequence[StoredReminder]) -> str:
    """A chat's reminders to come, one line each, for /rappels (HTML-safe)."""
    if not reminders:
        return "Aucun rappel programmé."
    lines = []
    for reminder in reminders:
        local = reminder.local_due_at
        lines.append(f"• {formatting.date(local.date())} à {clock_time(local)} : "
                     f"{html.escape(reminder.sentence, quote=False)}")
    return "\n".join(lines)
