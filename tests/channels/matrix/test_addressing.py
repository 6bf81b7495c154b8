"""What a group message says to the assistant: commands, mentions (pill, id, or its name
first), replies to its messages; other talk is not for it."""

from __future__ import annotations

from bot.channels.matrix.addressing import addressed, without_fallback

BOT = "@assistant:exemple.fr"
NAMES = (BOT, "@assistant", "Assistant CnFS")


def said_to_bot(body: str, own: tuple[str, ...] = (), **content: object) -> str | None:
    return addressed({"body": body, **content}, bot_id=BOT, names=NAMES, own_events=own)


def test_commands_mentions_and_replies_are_for_the_assistant() -> None:
    assert said_to_bot("/aide") == "/aide"
    assert said_to_bot("@assistant 2") == "2"
    assert said_to_bot("Assistant CnFS: combien pour 2 postes ?") == "combien pour 2 postes ?"
    assert said_to_bot(f"{BOT} oui") == "oui"
    pill = f'<a href="https://matrix.to/#/{BOT}">Assistant CnFS</a> : la 2'
    assert said_to_bot("Assistant CnFS : la 2", formatted_body=pill) == "la 2"
    assert said_to_bot("et pour 3 postes ?", own=("$abc",),
                       **{"m.relates_to": {"m.in_reply_to": {"event_id": "$abc"}}}) == \
        "et pour 3 postes ?"


def test_other_talk_is_not() -> None:
    assert said_to_bot("bonjour à tous") is None
    assert said_to_bot("@assistante 2") is None  # another name that starts the same
    assert said_to_bot("ok", own=("$abc",),
                       **{"m.relates_to": {"m.in_reply_to": {"event_id": "$other"}}}) is None


def test_the_quoted_lines_of_a_reply_are_dropped() -> None:
    assert without_fallback("> <@assistant:exemple.fr> Combien de postes ?\n\n2") == "2"
    assert without_fallback("2 > 1") == "2 > 1"
