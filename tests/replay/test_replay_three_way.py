"""Replay a recorded AMI stream of a real three-way call (tests/replay/capture.py) through
the decoder, the parser and the engine: cut anywhere, the decisions are the same; cut off
for good, every call still gets exactly one outcome after the resync."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from router.ami.frames import AmiMessage, FrameDecoder
from router.ami.parse import parse_event
from router.core import events as ev
from router.core.commands import Command, OriginateLeg, PublishCallEvent, RecordCall
from router.core.engine import Engine
from skills.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
STREAM = (ROOT / "tests" / "replay" / "data" / "three_way_call.ami").read_bytes()
CATALOGUE = load_catalogue(ROOT / "skills" / "data" / "catalogue.yaml")


def replay(chunks: list[bytes]) -> tuple[Engine, list[Command]]:
    engine = Engine(CATALOGUE)
    decoder = FrameDecoder()
    commands: list[Command] = []
    clock = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 in Shanghai: working time
    for chunk in chunks:
        for item in decoder.feed(chunk):
            assert isinstance(item, AmiMessage), item
            event = parse_event(item)
            if event is not None:
                clock += 0.01
                commands += engine.feed(event, clock)
    return engine, commands


def chunked(sizes: list[int]) -> list[bytes]:
    out, at = [], 0
    while at < len(STREAM):
        size = sizes[len(out) % len(sizes)]
        out.append(STREAM[at:at + size])
        at += size
    return out


def summary(commands: list[Command]) -> list[str]:
    return [c.kind if isinstance(c, PublishCallEvent) else type(c).__name__ for c in commands]


def test_the_recorded_call_replays_to_a_three_way_transfer() -> None:
    engine, commands = replay([STREAM])
    assert [c.kind for c in commands if isinstance(c, PublishCallEvent)] == [
        "call.entered", "operator.answered", "transfer.requested", "transfer.leg_started",
        "transfer.answered", "transfer.connected", "specialist.left", "operator.left",
        "call.ended"]
    (record,) = [c.record for c in commands if isinstance(c, RecordCall)]
    assert (record.call_id, record.outcome, record.matter, record.specialist) == (
        "replay-1", "transferred", "101", "2001")
    assert [c for c in commands if isinstance(c, OriginateLeg)] == [
        OriginateLeg("replay-1", "replay-1-L1", "tax-invoice",
                     "Local/12834@hotline-lab-caller-00000000;1", 1, 20, 30)]
    assert engine.calls == {}


@pytest.mark.parametrize("sizes", [[1], [2, 3], [7], [64], [1000, 1], [4096]])
def test_any_segmentation_of_the_stream_gives_the_same_decisions(sizes: list[int]) -> None:
    assert summary(replay(chunked(sizes))[1]) == summary(replay([STREAM])[1])


@pytest.mark.parametrize("seed", range(20))
def test_a_stream_cut_off_anywhere_still_ends_every_call_once_after_resync(seed: int) -> None:
    cut = random.Random(seed).randrange(len(STREAM))
    engine, commands = replay([STREAM[:cut]])
    # the link dropped there; the PBX restarted, so the resync finds no channel at all
    commands += engine.feed(ev.LinkDown("cut"), 1_795_485_700.0)
    commands += engine.feed(ev.Resynced(()), 1_795_485_701.0)
    recorded = [c.record.call_id for c in commands if isinstance(c, RecordCall)]
    entered = [c.call_id for c in commands
               if isinstance(c, PublishCallEvent) and c.kind == "call.entered"]
    assert sorted(recorded) == sorted(set(entered))
    assert engine.calls == {}
