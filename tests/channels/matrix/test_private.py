"""The assistant in an encrypted direct room on a real Synapse: invitation, FAQ, escaping."""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import Content
from tests.support.matrix import talk
from tests.support.synapse import Synapse


async def test_an_encrypted_direct_room_gets_encrypted_answers(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "alice") as alice:
        answers = await alice.ask("combien pour 2 postes en outre-mer ?")
        assert answers and all(a.encrypted for a in answers)
        assert "€" in answers[0].body
        assert answers[0].content["format"] == "org.matrix.custom.html"


async def test_user_text_is_escaped_in_formatted_body(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "carol", encrypted=False) as carol:
        await carol.ask("/simulation")
        answers = await carol.ask("<b>deux</b> <script>x</script> postes")
        assert not any(a.encrypted for a in answers)
        for answer in answers:
            assert "<script>" not in answer.html and "<b>deux</b>" not in answer.html


async def test_edits_and_notices_are_not_questions(synapse: Synapse, content: Content,
                                                   tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "rita", encrypted=False) as rita:
        [first] = await rita.ask("combien pour 2 postes en outre-mer ?")
        mark = len(rita.user.received)
        await rita.user.say(rita.room, "* combien pour 3 postes en outre-mer ?", **{
            "m.new_content": {"msgtype": "m.text", "body": "combien pour 3 postes ?"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": first.event.event_id}})
        await rita.user.client.room_send(rita.room, "m.room.message",
                                         {"msgtype": "m.notice", "body": "/aide"})
        answers = await rita.ask("/aide")  # answered: the two before were not
        assert len(rita.user.received[mark:]) == len(answers) == 1
