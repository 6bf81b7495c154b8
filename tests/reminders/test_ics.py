"""The .ics export, read back by a strict little RFC 5545 parser."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.programme.deadlines import Milestone
from bot.programme.reminder_policy import Policy
from bot.reminders import ics
from tests.support.reminders import fake_deadline, parse, prop, unescape

NOW = dt.datetime(2021, 3, 1, 12, 30, tzinfo=dt.UTC)


def test_deadlines_export_parses_with_required_properties(params):
    data = ics.milestones_calendar(
        42, [(3, Milestone(kind="prise_de_poste", date=dt.date(2021, 5, 3))),
             (4, Milestone(kind="candidat_selectionne", date=dt.date(2021, 3, 1)))],
        params, now=NOW)
    calendar = parse(data)
    assert prop(calendar, "VERSION") == "2.0"
    assert prop(calendar, "PRODID") == ics.PRODID
    events = calendar["components"]
    assert [prop(e, "DTSTART") for e in events] == ["20210316", "20230502", "20240502"]
    first = events[0]
    assert first["props"]["DTSTART"] == [(("VALUE=DATE",), "20210316")]
    assert first["props"]["DTEND"] == [(("VALUE=DATE",), "20210317")]
    assert prop(first, "DTSTAMP") == "20210301T123000Z"
    assert prop(first, "UID") == "candidat_selectionne.signature.42@cnfs-assistant"
    assert prop(first, "SEQUENCE") == "4"
    assert unescape(prop(first, "SUMMARY")) == (
        "Conseiller numérique : Signature du contrat de travail")
    description = unescape(prop(first, "DESCRIPTION"))
    assert description.startswith("Candidat sélectionné le lundi 1er mars 2021.")
    assert description.endswith(
        "\nSource : AMI collectivités, nov. 2020 ; "
        "Formulaire de candidature des structures (2020-2023)")
    alarms = [c for c in first["components"] if c["type"] == "VALARM"]
    assert [prop(a, "TRIGGER") for a in alarms] == ["-P6DT15H", "-P3DT15H", "PT9H"]
    assert all(prop(a, "ACTION") == "DISPLAY" for a in alarms)


def test_uid_is_stable_and_distinct_per_chat_milestone_and_deadline(params):
    def uids(chat, day):
        data = ics.milestones_calendar(
            chat, [(1, Milestone(kind="prise_de_poste", date=day))], params, now=NOW)
        return [prop(e, "UID") for e in parse(data)["components"]]

    assert uids(1, dt.date(2021, 5, 3)) == uids(1, dt.date(2021, 6, 1))   # updated, same
    assert len(set(uids(1, dt.date(2021, 5, 3)))) == 2
    assert not set(uids(1, dt.date(2021, 5, 3))) & set(uids(-100, dt.date(2021, 5, 3)))


def test_escaping_and_folding_round_trip():
    text = ("Virgule, point-virgule ; barre \\ oblique\nnouvelle ligne — "
            "accents éèàçôù « guillemets » " * 4)
    event = ics.Event(uid="x@y", day=dt.date(2021, 3, 16), summary="a, b; c",
                      description=text)
    calendar = parse(ics.calendar([event], now=NOW))
    [parsed] = calendar["components"]
    assert unescape(prop(parsed, "DESCRIPTION")) == text
    assert unescape(prop(parsed, "SUMMARY")) == "a, b; c"
    assert parsed["components"] == []


@pytest.mark.parametrize("width", range(70, 80))
def test_folding_never_splits_a_multibyte_character(width):
    line = "DESCRIPTION:" + "a" * (width - 12) + "é€😀" * 10
    pieces = ics.fold(line)
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])


@pytest.mark.parametrize(("delta", "text"), [
    (dt.timedelta(days=-7, hours=9), "-P6DT15H"),
    (dt.timedelta(hours=9), "PT9H"),
    (dt.timedelta(0), "P0D"),
    (dt.timedelta(days=-2, hours=14, minutes=30), "-P1DT9H30M"),
    (dt.timedelta(days=1), "P1D"),
])
def test_durations(delta, text):
    assert ics.duration(delta) == text


def test_alarms_follow_the_policy_and_weekends():
    deadline = fake_deadline("x", dt.date(2021, 3, 21))               # a Sunday
    assert ics.alarms(deadline, Policy()) == (
        dt.timedelta(days=-9, hours=9), dt.timedelta(days=-2, hours=9))
    event = ics.event(1, deadline, policy=None)
    assert event.alarms == ()
