"""The rate limiter alone: sliding windows with an explicit clock."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.ratelimit import Limits, RateLimiter


def test_one_message_per_second_per_chat():
    limiter = RateLimiter()
    limiter.record(1, 0.0)
    assert limiter.delay(1, 0.25) == 0.75
    assert limiter.delay(2, 0.25) == 0.0
    assert limiter.delay(1, 1.0) == 0.0


def test_thirty_per_second_overall():
    limiter = RateLimiter()
    for i in range(30):
        limiter.record(i, i / 100)
    assert round(limiter.overall_delay(0.30), 9) == 0.70
    assert limiter.delay(999, 0.30) == limiter.overall_delay(0.30)
    assert limiter.overall_delay(1.0) == 0.0         # the first one left the window


def test_twenty_per_minute_in_a_group_only():
    limiter = RateLimiter()
    for i in range(20):
        limiter.record(-100, float(i * 2))
        limiter.record(100, float(i * 2))
    assert limiter.chat_delay(-100, 40.0) == 20.0    # first at 0 leaves the window at 60
    assert limiter.chat_delay(100, 40.0) == 0.0      # a private chat has no such limit


def test_a_pause_holds_one_chat_only():
    limiter = RateLimiter()
    limiter.pause(7, 30.0)
    limiter.pause(7, 10.0)                           # never shortens a pause
    assert limiter.delay(7, 5.0) == 25.0
    assert limiter.delay(8, 5.0) == 0.0


def test_pruning_keeps_recent_state():
    limiter = RateLimiter()
    for i in range(RateLimiter.PRUNE_EVERY):
        limiter.record(i, i * 0.04)
    last = (RateLimiter.PRUNE_EVERY - 1) * 0.04
    assert limiter.chat_delay(RateLimiter.PRUNE_EVERY - 1, last) == 1.0


@settings(max_examples=100, deadline=None)
@given(chats=st.lists(st.sampled_from([1, 2, 3, 4, -10, -11]), min_size=1, max_size=200),
       step=st.floats(min_value=0.0, max_value=0.2))
def test_a_greedy_sender_never_breaks_the_limits(chats, step):
    limits = Limits(overall=5, group=3, group_window=10.0)
    limiter = RateLimiter(limits)
    now, sent = 0.0, []
    for chat in chats:
        while (wait := limiter.delay(chat, now)) > 0:
            now += wait
        limiter.record(chat, now)
        sent.append((now, chat))
        now += step
    for i, (start, _) in enumerate(sent):
        later = [(t, c) for t, c in sent[i:] if t < start + limits.overall_window]
        assert len(later) <= limits.overall
        for chat in {c for _, c in later}:
            assert sum(1 for _, c in later if c == chat) == 1     # ≥ 1 s apart per chat
        if sent[i][1] < 0:
            group = [t for t, c in sent[i:] if c == sent[i][1] and t < start + 10.0]
            assert len(group) <= limits.group
