"""per_content: built once for the same content objects, again for new ones."""

from __future__ import annotations

from bot.core.memo import per_content


def test_built_again_only_for_other_objects() -> None:
    calls: list[object] = []

    @per_content
    def build(content: dict[str, int]) -> int:
        calls.append(content)
        return len(calls)

    first = {"a": 1}
    assert build(first) == build(first) == 1
    assert build({"a": 1}) == 2   # an equal but new content (a reload) is built again
    assert len(calls) == 2
