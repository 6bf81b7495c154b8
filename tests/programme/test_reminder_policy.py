"""Deadlines → reminder instants: working days, civil hour, DST, overseas zones, texts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.programme.deadlines import Milestone, deadlines_for
from bot.programme.reminder_policy import (
    DEFAULT_POLICY,
    Policy,
    describe_schedule,
    exists,
    local_instant,
    plan,
)
from tests.support.reminders import fake_deadline

D = dt.date
UTC = dt.UTC
PARIS = "Europe/Paris"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def schedule_of(params, kind, day, zone=PARIS, now=None, policy=DEFAULT_POLICY):
    found = deadlines_for(Milestone(kind=kind, date=day), params)
    moment = now or dt.datetime.combine(day, dt.time(0), tzinfo=UTC)
    return plan(found, zone, now=moment, policy=policy)


def nb(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_signature_reminders_7_days_2_days_and_on_the_day(params):
    schedule = schedule_of(params, "candidat_selectionne", D(2021, 3, 1))
    assert [(r.day, r.due_at, r.days_before) for r in schedule.planned] == [
        (D(2021, 3, 9), utc(2021, 3, 9, 8), 7),
        (D(2021, 3, 12), utc(2021, 3, 12, 8), 2),     # Sunday 14 → Friday 12
        (D(2021, 3, 16), utc(2021, 3, 16, 8), 0),
    ]
    texts = [nb(r.text) for r in schedule.planned]
    assert texts[0].startswith(
        "<b>Rappel</b> : la signature du contrat de travail doit intervenir au plus tard le "
        "mardi 16 mars 2021 (dans 7 jours).\n")
    assert "(dans 4 jours)" in texts[1]
    assert "(aujourd'hui)" in texts[2]
    assert all("<i>Source : AMI collectivités, nov. 2020" in t for t in texts)
    assert schedule.skipped == ()


EXPECTED = {   # milestone → (deadline kind, local days, UTC hour) — computed by hand
    ("candidat_presente", D(2021, 3, 1)): [
        ("selection", [D(2021, 3, 9), D(2021, 3, 12), D(2021, 3, 16)], [8, 8, 8])],
    ("contrat_signe", D(2021, 3, 16)): [   # summer time starts on Sunday 28 March 2021
        ("depart_formation", [D(2021, 3, 24), D(2021, 3, 29), D(2021, 3, 31)], [8, 7, 7])],
    ("prise_de_poste", D(2021, 5, 3)): [   # 24 months end on Tuesday 2 May 2023
        ("fin_subvention", [D(2023, 4, 25), D(2023, 4, 28), D(2023, 5, 2)], [7, 7, 7]),
        ("fin_convention", [D(2024, 4, 25), D(2024, 4, 30), D(2024, 5, 2)], [7, 7, 7])],
    ("fin_formation", D(2021, 8, 31)): [   # deadline 28 Feb 2022; J-2 is Saturday 26
        ("certification", [D(2022, 2, 21), D(2022, 2, 25), D(2022, 2, 28)], [8, 8, 8])],
    ("depart_conseiller", D(2025, 5, 14)): [
        ("remplacement", [D(2025, 11, 7), D(2025, 11, 12), D(2025, 11, 14)], [8, 8, 8])],
    ("depart_conseiller", D(2025, 2, 3)): [  # 2023 rule: 3 months → Saturday 3 May 2025
        ("remplacement", [D(2025, 4, 25), D(2025, 5, 1), D(2025, 5, 2)], [7, 7, 7])],
}


@pytest.mark.parametrize(("kind", "day"), list(EXPECTED))
def test_each_milestone_gives_its_reminders(params, kind, day):
    schedule = schedule_of(params, kind, day)
    got: dict[str, tuple[list, list]] = {}
    for reminder in schedule.planned:
        days, hours = got.setdefault(reminder.deadline.kind, ([], []))
        days.append(reminder.day)
        hours.append(reminder.due_at.hour)
        assert reminder.local_due_at.time() == dt.time(9, 0)
    assert got == {k: (days, hours) for k, days, hours in EXPECTED[(kind, day)]}


def test_weekend_deadline_is_stated_as_is_and_reminded_on_the_working_day_before(params):
    schedule = schedule_of(params, "candidat_selectionne", D(2021, 3, 5))   # → Sat 20 March
    assert [(r.day, r.days_before) for r in schedule.planned] == [
        (D(2021, 3, 12), 7), (D(2021, 3, 18), 2), (D(2021, 3, 19), 0)]
    texts = [nb(r.text) for r in schedule.planned]
    assert all("au plus tard le samedi 20 mars 2021" in t for t in texts)
    assert ["(dans 8 jours)" in texts[0], "(dans 2 jours)" in texts[1],
            "(demain)" in texts[2]] == [True, True, True]


def test_sunday_deadline_two_reminders_on_the_same_friday_make_one(params):
    schedule = schedule_of(params, "candidat_selectionne", D(2021, 3, 6))   # → Sun 21 March
    assert [(r.day, r.days_before) for r in schedule.planned] == [
        (D(2021, 3, 12), 7), (D(2021, 3, 19), 0)]
    assert "dimanche 21 mars 2021 (dans 2 jours)" in nb(schedule.planned[1].text)


def test_dst_end_in_october_keeps_nine_local(params):
    schedule = schedule_of(params, "contrat_signe", D(2021, 10, 18))       # → Tue 2 Nov
    assert [(r.day, r.due_at) for r in schedule.planned] == [
        (D(2021, 10, 26), utc(2021, 10, 26, 7)),      # CEST, UTC+2
        (D(2021, 10, 29), utc(2021, 10, 29, 7)),      # Sun 31 Oct (change day) → Fri 29
        (D(2021, 11, 2), utc(2021, 11, 2, 8)),        # CET, UTC+1
    ]


@pytest.mark.parametrize(("zone", "instants"), [
    ("Indian/Reunion", [utc(2021, 3, 9, 5), utc(2021, 3, 12, 5), utc(2021, 3, 16, 5)]),
    ("Indian/Mayotte", [utc(2021, 3, 9, 6), utc(2021, 3, 12, 6), utc(2021, 3, 16, 6)]),
    ("America/Cayenne", [utc(2021, 3, 9, 12), utc(2021, 3, 12, 12), utc(2021, 3, 16, 12)]),
    ("America/Martinique", [utc(2021, 3, 9, 13), utc(2021, 3, 12, 13),
                            utc(2021, 3, 16, 13)]),
    # Nouméa is UTC+11: 9:00 local is 22:00 UTC the day before.
    ("Pacific/Noumea", [utc(2021, 3, 8, 22), utc(2021, 3, 11, 22), utc(2021, 3, 15, 22)]),
    ("Pacific/Tahiti", [utc(2021, 3, 9, 19), utc(2021, 3, 12, 19), utc(2021, 3, 16, 19)]),
    # Saint-Pierre-et-Miquelon changes time on Sunday 14 March 2021 (UTC-3 → UTC-2).
    ("America/Miquelon", [utc(2021, 3, 9, 12), utc(2021, 3, 12, 12), utc(2021, 3, 16, 11)]),
])
def test_overseas_zones(params, zone, instants):
    schedule = schedule_of(params, "candidat_selectionne", D(2021, 3, 1), zone=zone,
                           now=utc(2021, 3, 1, 0))
    assert [r.due_at for r in schedule.planned] == instants
    assert [r.local_due_at.date() for r in schedule.planned] == [
        D(2021, 3, 9), D(2021, 3, 12), D(2021, 3, 16)]
    assert all(r.timezone == zone for r in schedule.planned)


def test_past_reminders_are_not_created_and_are_reported(params):
    schedule = schedule_of(params, "candidat_selectionne", D(2021, 3, 1),
                           now=utc(2021, 3, 12, 8, 30))               # Fri 12, 9:30 Paris
    assert [r.day for r in schedule.planned] == [D(2021, 3, 16)]
    assert [r.day for r in schedule.skipped] == [D(2021, 3, 9), D(2021, 3, 12)]
    assert "2 rappels déjà passés, non programmés" in describe_schedule(schedule)


def test_deadline_today_before_the_hour_keeps_its_reminder_after_it_does_not(params):
    before = schedule_of(params, "candidat_selectionne", D(2021, 3, 1),
                         now=utc(2021, 3, 16, 7, 0))                  # 8:00 Paris
    assert [r.day for r in before.planned] == [D(2021, 3, 16)]
    after = schedule_of(params, "candidat_selectionne", D(2021, 3, 1),
                        now=utc(2021, 3, 16, 8, 0))                   # 9:00 Paris exactly
    assert after.planned == ()
    assert len(after.skipped) == 3


def test_nonexistent_local_time_moves_forward_ambiguous_takes_the_first():
    paris = ZoneInfo(PARIS)
    half_past_two = dt.time(2, 30)
    assert not exists(D(2021, 3, 28), half_past_two, paris)
    spring = local_instant(D(2021, 3, 28), half_past_two, paris)
    assert spring == utc(2021, 3, 28, 1, 30)
    assert spring.astimezone(paris).time() == dt.time(3, 30)
    assert exists(D(2021, 10, 31), half_past_two, paris)
    autumn = local_instant(D(2021, 10, 31), half_past_two, paris)
    assert autumn == utc(2021, 10, 31, 0, 30)                          # first: still CEST
    assert autumn.astimezone(paris).utcoffset() == dt.timedelta(hours=2)


def test_custom_policy_hour_and_days():
    policy = Policy(hour=dt.time(14, 15), days_before=(1,))
    deadline = fake_deadline("x", D(2021, 3, 16))
    schedule = plan([deadline], PARIS, now=utc(2021, 3, 1), policy=policy)
    assert [(r.day, r.due_at) for r in schedule.planned] == [
        (D(2021, 3, 15), utc(2021, 3, 15, 13, 15))]
    assert "à 14 h 15" in nb(describe_schedule(schedule))


def test_policy_refuses_negative_days_and_aware_hours():
    with pytest.raises(ValueError):
        Policy(days_before=(-1,))
    with pytest.raises(ValueError):
        Policy(hour=dt.time(9, tzinfo=UTC))


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        plan([fake_deadline("x", D(2021, 3, 16))], PARIS, now=dt.datetime(2021, 3, 1))


ZONES = ["Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne",
         "Indian/Reunion", "Indian/Mayotte", "America/Miquelon", "America/St_Barthelemy",
         "America/Marigot", "Pacific/Wallis", "Pacific/Tahiti", "Pacific/Noumea"]


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES),
       deadline_day=st.dates(min_value=D(2020, 1, 1), max_value=D(2032, 12, 31)),
       hour=st.times(),
       days_before=st.sets(st.integers(min_value=0, max_value=40), min_size=1, max_size=5))
def test_schedule_properties(zone, deadline_day, hour, days_before):
    hour = hour.replace(second=0, microsecond=0)
    policy = Policy(hour=hour, days_before=tuple(days_before))
    deadlines = [fake_deadline("a", deadline_day),
                 fake_deadline("b", deadline_day + dt.timedelta(days=3))]
    schedule = plan(deadlines, zone, now=utc(2019, 1, 1), policy=policy)
    tz = ZoneInfo(zone)
    instants = [r.due_at for r in schedule.planned]
    assert instants == sorted(instants)
    assert schedule.skipped == ()
    for reminder in schedule.planned:
        local = reminder.due_at.astimezone(tz)
        assert reminder.due_at.utcoffset() == dt.timedelta(0)
        assert reminder.day.weekday() < 5                          # never on a weekend
        assert reminder.day <= reminder.deadline.date              # never after the deadline
        assert local.date() == reminder.day
        if exists(reminder.day, hour, tz):
            assert local.time() == hour                            # the civil hour, local
        else:
            assert local.time() > hour                             # moved past the gap
    for kind in ("a", "b"):
        days = [r.day for r in schedule.planned if r.deadline.kind == kind]
        assert len(days) == len(set(days))
