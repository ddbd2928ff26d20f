"""The queue board: member and caller events in, team states out."""

from __future__ import annotations

import pytest

from router.core.board import QueueBoard, QueueCaller, QueueMemberState
from skills.select import TeamState


def _board() -> QueueBoard:
    board = QueueBoard()
    for state in (QueueMemberState("tax-invoice", "2001", "Local/2001@x/n", 0, 1, False),
                  QueueMemberState("tax-invoice", "2002", "Local/2002@x/n", 1, 2, False),
                  QueueMemberState("tax-invoice", "2003", "Local/2003@x/n", 0, 1, True,
                                   "lunch"),
                  QueueMemberState("market-service", "2101", "Local/2101@x/n", 0, 5, False)):
        board.member(state)
    board.caller(QueueCaller("tax-invoice", "9.1", 100.0), joined=True)
    return board


def test_team_states_are_worked_out_for_the_queues_read_and_agree_with_team() -> None:
    board = _board()
    states = board.states(130.0)
    assert sorted(states) == ["market-service", "tax-invoice"]
    assert len(states) == 2
    assert states["tax-invoice"] == TeamState(
        queue="tax-invoice", logged_in=3, available=1, ringing=0, paused=1,
        callers_waiting=1, longest_wait_s=30.0, best_available_level=5)
    assert states["tax-invoice"] == board.team("tax-invoice", 130.0)
    assert states.get("not-on-the-pbx") is None
    with pytest.raises(KeyError):
        states["not-on-the-pbx"]


def test_a_member_removed_leaves_the_next_states_of_its_queue() -> None:
    board = _board()
    board.member(QueueMemberState("market-service", "2101", "Local/2101@x/n", 0, 0, False),
                 removed=True)
    assert sorted(board.states(130.0)) == ["tax-invoice"]
