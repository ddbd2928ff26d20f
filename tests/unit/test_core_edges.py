"""The pure core at its edges: queue board, standards watch, adoption, working time,
records, journal, restore, presence and tickets. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
import yaml

from metrics.records import CallRecord, TargetAttempt
from router.core.adoption import adopt, extension_of
from router.core.board import QueueBoard, QueueCaller, QueueMemberState
from router.core.call import Call, CallState, Leg, TicketRequest, Trigger, next_state
from router.core.commands import CreateTicket, ReplyToParty
from router.core.events import ChannelSnapshot, PresenceRequested
from router.core.hours import (
    HOTLINE_TZ,
    _add_working_time,
    deadline,
    is_open,
    next_working_day,
    working_time_before,
)
from router.core.journal import call_from_json, call_to_json, encode_default
from router.core.outcome import final_record
from router.core.presence import presence_commands
from router.core.restore import restore_calls
from router.core.standards import StandardAlert, StandardsWatch, _Counts
from router.core.tickets import create_ticket
from router.errors import IllegalTransition
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue, load_catalogue
from skills.model import Deadline, Hours
from skills.select import Plan, Target, TeamState

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"
CATALOGUE = load_catalogue(DEFAULT)
CAL = WorkCalendar()
OFFICE = Hours(periods=("09:00-12:00", "13:00-17:30"))
T = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai


def at(text: str) -> float:
    """A Shanghai wall-clock time as Unix seconds."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=HOTLINE_TZ).timestamp()


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=HOTLINE_TZ)


class NeverWorking(WorkCalendar):
    """A calendar without a single working day."""

    def is_working_day(self, day: dt.date) -> bool:
        return False


# --- the queue board ---------------------------------------------------------------------

def member(who: str, status: int, penalty: int = 0, paused: bool = False,
           queue: str = "q1") -> QueueMemberState:
    return QueueMemberState(queue, who, f"Local/{who}@p/n", penalty, status, paused)


def test_removing_what_was_never_there_changes_nothing_and_raises_nothing() -> None:
    board = QueueBoard()
    board.member(member("A", 1), removed=True)
    board.caller(QueueCaller("q1", "u1", 100.0), joined=False)
    assert (board.members, board.callers, board.queues()) == ({}, {}, [])


def test_a_team_counts_ringing_members_and_its_best_level_from_the_lowest_penalty() -> None:
    board = QueueBoard()
    board.replace([member("A", 6), member("B", 7), member("C", 2), member("D", 1, penalty=2),
                   member("E", 1, penalty=3), member("F", 1, penalty=0, paused=True)], [])
    assert board.team("q1", 50.0) == TeamState(
        queue="q1", logged_in=6, available=2, ringing=2, paused=1, callers_waiting=0,
        longest_wait_s=0.0, best_available_level=3)


def test_an_unreported_queue_is_an_empty_team_with_nothing_waiting() -> None:
    board = QueueBoard()
    board.replace([member("A", 2)], [])
    assert board.team("nowhere", 50.0) == TeamState(
        queue="nowhere", logged_in=0, available=0, ringing=0, paused=0, callers_waiting=0,
        longest_wait_s=0.0, best_available_level=0)
    assert board.known("nowhere") is False


def test_a_clock_step_moves_the_callers_join_times_and_keeps_their_waits() -> None:
    board = QueueBoard()
    board.replace([member("A", 1)], [QueueCaller("q1", "u1", 100.0),
                                    QueueCaller("q1", "u2", 110.0)])
    board.shift_times(30.0)
    assert board.callers == {("q1", "u1"): QueueCaller("q1", "u1", 130.0),
                             ("q1", "u2"): QueueCaller("q1", "u2", 140.0)}
    assert board.team("q1", 160.0).longest_wait_s == 30.0


def test_teams_are_the_reported_queues_at_now() -> None:
    board = QueueBoard()
    board.replace([member("A", 1, penalty=1)], [QueueCaller("q1", "u1", 100.0)])
    assert board.teams(["q1", "nowhere"], 125.0) == {"q1": TeamState(
        queue="q1", logged_in=1, available=1, ringing=0, paused=0, callers_waiting=1,
        longest_wait_s=25.0, best_available_level=4)}


def test_team_states_are_a_snapshot_of_each_queue_when_first_read() -> None:
    board = QueueBoard()
    board.replace([member("A", 2)], [])
    states = board.states(100.0)
    busy = TeamState(queue="q1", logged_in=1, available=0, ringing=0, paused=0,
                     callers_waiting=0, longest_wait_s=0.0, best_available_level=0)
    assert states["q1"] == busy
    board.member(member("B", 1))  # someone becomes available after the first read
    assert states["q1"] == busy
    assert board.states(100.0)["q1"].available == 1
    with pytest.raises(KeyError) as missing:
        states["nowhere"]
    assert missing.value.args == ("nowhere",)


# --- the standards watch -----------------------------------------------------------------

def survey(n: int, resolved: bool, at_: float, unit: str = "tax") -> CallRecord:
    return CallRecord(call_id=f"s{n}", day="2026-11-24", hour=10, entered_at=at_,
                      ended_at=at_ + 60, caller="-", priority=1,
                      outcome="handled_by_operator", unit=unit, matter="101",
                      survey_resolved=resolved)


def request(n: int, connected: bool, at_: float, unit: str = "tax") -> CallRecord:
    return CallRecord(call_id=f"c{n}", day="2026-11-24", hour=10, entered_at=at_,
                      ended_at=at_ + 60, caller="-", priority=1,
                      outcome="transferred" if connected else "transfer_failed",
                      unit=unit, matter="101", transfer_requested=True,
                      transfer_requested_at=at_, three_way_at=at_ + 5 if connected else None)


def test_survey_answers_alone_raise_the_resolution_rate_below_90_percent() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    for n in range(10):
        watch.observe(survey(n, n < 8, T + n))
    assert [(m, c) for m, c in watch.units["tax"].minutes] == [
        (T, _Counts(requests=0, connected=0, answers=10, resolved=8))]
    # no transfer requests at all: the connection rate has no sample, resolution still counts
    assert watch.evaluate(CATALOGUE, CAL, T + 60) == [
        StandardAlert("tax", "resolution_rate", True, 0.8, 10, 0.9)]


def test_a_good_rate_with_no_alert_before_is_no_change() -> None:
    fresh = StandardsWatch(window_working_min=60, min_sample=10)
    restored = StandardsWatch(window_working_min=60, min_sample=10)
    restored.restore("tax", "connection_rate", False)
    for watch in (fresh, restored):
        for n in range(10):
            watch.observe(request(n, True, T + n))
        assert watch.evaluate(CATALOGUE, CAL, T + 60) == []


def test_a_unit_gone_from_the_catalogue_is_dropped_and_the_others_still_evaluated() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    watch.observe(request(0, False, T, unit="aaa-gone"))
    for n in range(10):
        watch.observe(request(n, False, T + n))
    assert watch.evaluate(CATALOGUE, CAL, T + 60) == [
        StandardAlert("tax", "connection_rate", True, 0.0, 10, 0.9)]
    assert list(watch.units) == ["tax"]


def test_a_late_record_between_two_minutes_is_kept_in_time_order() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    for n, minute in enumerate((T, T + 60, T + 180, T + 120)):
        watch.observe(request(n, True, minute + 1))
    assert [m for m, _ in watch.units["tax"].minutes] == [T, T + 60, T + 120, T + 180]


def test_a_call_counts_in_the_minute_of_its_request_else_of_its_entry() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    watch.observe(CallRecord(call_id="c1", day="2026-11-24", hour=10, entered_at=T + 5,
                             ended_at=T + 300, caller="-", priority=1, outcome="transferred",
                             unit="tax", transfer_requested=True,
                             transfer_requested_at=T + 125, three_way_at=T + 130))
    watch.observe(survey(2, True, T + 61))
    assert [(m, c) for m, c in watch.units["tax"].minutes] == [
        (T + 60, _Counts(requests=0, connected=0, answers=1, resolved=1)),
        (T + 120, _Counts(requests=1, connected=1, answers=0, resolved=0))]


@pytest.mark.parametrize(("now", "alerts", "units"), [
    # at 11:00:59 the 60 working minutes began at 10:00:59: minute 10:00 is still in
    (T + 3659, [StandardAlert("tax", "connection_rate", True, 0.0, 10, 0.9)], ["tax"]),
    # at 11:01:00 they begin at 10:01:00: minute 10:00 has left the window whole
    (T + 3660, [], []),
])
def test_a_minute_leaves_the_window_when_the_window_starts_at_its_end(
    now: float, alerts: list[StandardAlert], units: list[str]
) -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    for n in range(10):
        watch.observe(request(n, False, T + n))
    assert watch.evaluate(CATALOGUE, CAL, now) == alerts
    assert list(watch.units) == units


# --- adoption ----------------------------------------------------------------------------

@pytest.mark.parametrize(("channel", "extension"), [
    ("IAX2/host/1001", "host/1001"),  # only the technology is cut off
    ("Local/1001@a@b;1", "1001"),  # up to the first @
    ("Local/1001;2;x", "1001"),  # up to the first ;
])
def test_the_endpoint_of_an_unusual_channel_name(channel: str, extension: str) -> None:
    assert extension_of(channel) == extension


CALLER = ChannelSnapshot("c1", "Local/77@hotline-lab-caller-1;1", "c1", "caller", "", "b1")
SEAT = ChannelSnapshot("s1", "Local/1002@hotline-lab-party-2;1", "c1", "operator", "", "b1")


def test_an_unbridged_caller_is_still_waiting_whatever_else_is_unbridged() -> None:
    lone = ChannelSnapshot("c1", CALLER.channel, "c1", "caller", "", "")
    seat = ChannelSnapshot("s1", SEAT.channel, "c1", "operator", "", "")
    call, commands = adopt(lone, (lone, seat), CATALOGUE, T)
    assert (call.state, call.operator, call.operator_channel, commands) == (
        CallState.QUEUED, "", "", [])


def test_a_channel_named_like_a_bridge_side_without_a_leg_is_no_department_leg() -> None:
    stray = ChannelSnapshot("x-a", "PJSIP/3000-00000001", "c1", "member", "", "b1")
    call, commands = adopt(CALLER, (CALLER, SEAT, stray), CATALOGUE, T)
    assert (call.state, call.operator, call.legs, call.three_way_at, commands) == (
        CallState.WITH_OPERATOR, "1002", [], None, [])


@pytest.mark.parametrize(("channel", "queue", "unit"), [
    ("Local/tax-invoice@a@b;1", "tax-invoice", "tax"),
    ("Local/lab/tax-invoice@ctx;1", "lab/tax-invoice", ""),
    ("tax-invoice@ctx;1", "tax-invoice", "tax"),
    ("Local/nowhere@ctx;1", "nowhere", ""),
])
def test_an_adopted_legs_queue_is_its_channels_resource_and_its_unit_the_queues(
    channel: str, queue: str, unit: str
) -> None:
    leg = ChannelSnapshot("c1-L1-a", channel, "c1", "department-leg", "c1-L1", "b1")
    call, _ = adopt(CALLER, (CALLER, leg), CATALOGUE, T)
    (adopted,) = call.legs
    assert (call.state, adopted.queue, adopted.unit, call.connected_unit) == (
        CallState.WITH_SPECIALIST, queue, unit, unit)


# --- working time ------------------------------------------------------------------------

def test_a_unit_working_every_day_is_open_on_a_saturday() -> None:
    every_day = Hours(days="every_day", periods=("09:00-17:00",))
    assert is_open(every_day, CAL, at("2026-11-28 10:00")) is True
    assert is_open(OFFICE, CAL, at("2026-11-28 10:00")) is False


def test_a_next_working_day_deadline_keeps_its_minutes() -> None:
    assert deadline(Deadline(at="09:30"), OFFICE, CAL, at("2026-11-24 22:00")) == shanghai(
        "2026-11-25 09:30")


@pytest.mark.parametrize(("when", "hours", "due"), [
    # exactly the rest of the afternoon: due at the close, not the next morning
    ("2026-11-24 13:30", 4, "2026-11-24 17:30"),
    # Monday 17:00: half an hour Monday, three on Tuesday morning, half after lunch
    ("2026-11-23 17:00", 4, "2026-11-24 13:30"),
])
def test_working_hours_deadlines_at_the_edges(when: str, hours: int, due: str) -> None:
    policy = Deadline(policy="working_hours", hours=hours)
    assert deadline(policy, OFFICE, CAL, at(when)) == shanghai(due)


def test_no_time_left_at_a_close_lands_on_the_next_opening() -> None:
    assert _add_working_time(OFFICE, CAL, shanghai("2026-11-24 12:00"),
                             dt.timedelta(0)) == shanghai("2026-11-24 13:00")


@pytest.mark.parametrize(("when", "minutes", "since"), [
    # exactly the morning: its start, not the evening before
    ("2026-11-24 12:00", 180, "2026-11-24 09:00"),
    # 20 minutes on Tuesday, the other 40 before Monday's close
    ("2026-11-24 09:20", 60, "2026-11-23 16:50"),
    # nothing of Tuesday is worked yet at its opening: zero minutes back is Monday's close
    ("2026-11-24 09:00", 0, "2026-11-23 17:30"),
])
def test_a_window_of_working_time_at_the_edges(when: str, minutes: float, since: str
                                               ) -> None:
    assert working_time_before(OFFICE, CAL, at(when), minutes) == at(since)


def test_a_calendar_without_working_days_gives_up_with_a_reason() -> None:
    never = NeverWorking()
    with pytest.raises(ValueError, match=r"^no working day within 400 days after 2026-11-24$"):
        next_working_day(never, dt.date(2026, 11, 24))
    with pytest.raises(ValueError,
                       match=r"^no working time within 400 days after 2026-11-24 10:00"):
        deadline(Deadline(policy="working_hours", hours=1), OFFICE, never,
                 at("2026-11-24 10:00"))
    assert working_time_before(OFFICE, never, at("2026-11-24 10:00"), 60) == 0.0


# --- the call, its record, its journal, its restore --------------------------------------

def test_an_illegal_transition_names_the_state_and_the_trigger() -> None:
    with pytest.raises(IllegalTransition) as illegal:
        next_state(CallState.ENDED, Trigger.TRANSFER_ACCEPTED)
    assert (illegal.value.state, illegal.value.event, str(illegal.value)) == (
        "ended", "transfer_accepted", "no transition from ended on transfer_accepted")


def _call_with_leg() -> Call:
    call = Call("c1", "Local/1;1", "13812345678", 1, T)
    call.legs.append(Leg("c1-L1", "tax-invoice", "tax", T + 10, ring_until=T + 30,
                         rung={"2001"}, declined={"2001"}))
    return call


def test_a_clone_shares_no_leg_sets_with_the_original() -> None:
    call = _call_with_leg()
    copy = call.clone()
    copy.legs[0].rung.add("2002")
    copy.legs[0].declined.add("2002")
    assert (call.legs[0].rung, call.legs[0].declined) == ({"2001"}, {"2001"})


def test_a_clock_step_moves_a_legs_start_and_ring_time() -> None:
    call = _call_with_leg()
    call.shift_times(30.0)
    assert (call.entered_at, call.legs[0].started_at, call.legs[0].ring_until) == (
        T + 30, T + 40, T + 60)


def test_an_emergency_calls_record_keeps_its_number_and_ticket() -> None:
    call = Call("c1", "Local/1;1", "13812345678", 1, T)
    call.operator, call.operator_answered_at = "1001", T + 5
    call.emergency, call.emergency_matter = "110", "901"
    call.ticket_id, call.ticket_reason = "T-7", "after_hours"
    assert final_record(call, "emergency_transferred", T + 60) == CallRecord(
        call_id="c1", day="2026-11-24", hour=10, entered_at=T, ended_at=T + 60,
        caller="138****5678", priority=1, outcome="emergency_transferred",
        operator="1001", operator_answered_at=T + 5, matter="901", unit="", district="",
        transfer_requested=False, transfer_requested_at=None, requests_rejected=0,
        three_way_at=None, connected_unit="", specialist="", specialist_left_at=None,
        survey_resolved=None, survey_satisfaction=None, bad_review=False, emergency="110",
        ticket_id="T-7", ticket_reason="after_hours", adopted=False, targets=())


def test_the_journal_refuses_what_is_not_part_of_a_call_by_its_type() -> None:
    assert encode_default({"b", "a"}) == ["a", "b"]
    with pytest.raises(TypeError) as refused:
        encode_default(3)
    assert str(refused.value) == "int is not part of a journal entry"


def test_a_ticket_request_comes_back_from_the_journal() -> None:
    call = Call("c1", "Local/1;1", "13812345678", 1, T)
    call.ticket_request = TicketRequest("r2", "phone", "1001", None, "301", "hpf")
    call.attempts.append(TargetAttempt("tax-invoice", "tax", "timeout"))
    back = call_from_json(orjson.loads(orjson.dumps(call_to_json(call),
                                                    default=encode_default)))
    assert back.ticket_request == TicketRequest("r2", "phone", "1001", None, "301", "hpf")
    assert back == call


def test_only_calls_neither_known_nor_ended_are_restored() -> None:
    ended = Call("ended", "Local/2;1", "", 1, T, state=CallState.ENDED)
    known = Call("known", "Local/3;1", "", 1, T)
    live = Call("live", "Local/4;1", "", 1, T)
    restored, commands = restore_calls([ended, known, live], {"known"}, 5.0, T + 10)
    assert ([c.call_id for c in restored], commands) == (["live"], [])


# --- presence and tickets ----------------------------------------------------------------

@pytest.mark.parametrize("event", [
    PresenceRequested("nobody", "pause", "desk"),  # a desk naming no role: nobody to tell
    PresenceRequested("nobody", "pause", "phone", role="operator"),  # a phone: no reply
])
def test_an_unknown_party_gets_a_reply_only_from_a_desk_with_a_role(
    event: PresenceRequested
) -> None:
    assert presence_commands(CATALOGUE, event) == []
    desk = PresenceRequested("nobody", "pause", "desk", request_id="q1", role="operator")
    assert presence_commands(CATALOGUE, desk) == [
        ReplyToParty("nobody", "operator", "q1", False, "unknown_party")]


@pytest.fixture(scope="module")
def hours_deadline_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["units"]["tax"]["ticket_deadline"] = {"policy": "working_hours", "hours": 3}
    path = tmp_path_factory.mktemp("deadline") / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalogue(path)


def test_a_ticket_within_working_hours_counts_the_units_own_hours(
    hours_deadline_catalogue: Catalogue
) -> None:
    call = Call("c1", "Local/1;1", "13812345678", 1, T)
    call.operator = "1001"
    plan = Plan("105", "tax", "pudong", (Target("tax-declaration", "tax", 20),), 90)
    request_ = TicketRequest("r1", "phone", "1001", None, "105", "tax")
    now = at("2026-11-24 16:00")
    commands = create_ticket(call, request_, plan, "after_hours", hours_deadline_catalogue,
                             CAL, now)
    # tax works 09:00-17:00: one hour on Tuesday, two on Wednesday morning
    assert commands[1] == CreateTicket(
        "c1", "c1/105", now, "105", "tax", "pudong", 1, "1001", "13812345678",
        "after_hours", at("2026-11-25 11:00"), False)
