"""The executor: carries out the core's commands through the adapters, without waiting.

``execute`` is synchronous: AMI actions are written at once (in command order) and their
responses come back later; MQTT messages and metrics go into bounded buffers. So the
consumer loop never awaits a network round trip. A command that fails is logged, counted,
and — when the core must know (a department leg that could not be originated) — fed back
as a :class:`CommandFailed` event.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import orjson

from metrics.recorder import Recorder
from router.ami import render
from router.ami.client import AmiAction, AmiClient, AmiResponse
from router.config import DialplanSettings
from router.core import commands as cmd
from router.core.events import CommandFailed, Event, TicketFailed
from router.effects.gate import ActionGate
from router.effects.mqtt import MqttBus
from router.effects.timers import Timers
from router.effects.topics import Topics
from router.errors import AmiError, AmiLinkLost
from router.log import get_logger

__all__ = ["Executor"]

EVENT_VERSION = 1


class Executor:
    def __init__(
        self,
        ami: AmiClient,
        bus: MqttBus,
        recorder: Recorder,
        timers: Timers,
        topics: Topics,
        feedback: Callable[[Event], None],
        dialplan: DialplanSettings | None = None,
        tickets: Callable[[cmd.CreateTicket], None] | None = None,
        incarnation: str = "0",
        gate: ActionGate | None = None,
    ) -> None:
        self._dialplan = dialplan or DialplanSettings()
        self._tickets = tickets
        self._ami = ami
        self._bus = bus
        self._recorder = recorder
        self._timers = timers
        self._topics = topics
        self._feedback = feedback
        self._gate = gate
        self._mark: int | None = None  # the journal entries the current commands follow
        self._log = get_logger(component="executor")
        # event ids are "<call id>/<incarnation>.<seq>": the core numbers a call's events
        # (the number is journalled, so it goes on after a restart), the incarnation keeps
        # ids unique even if a journal entry was lost
        self._incarnation = incarnation
        self.inflight: set[asyncio.Future[AmiResponse]] = set()
        self.failures: Counter[str] = Counter()

    def execute(self, commands: list[cmd.Command], journal_mark: int | None = None) -> None:
        """Carry out ``commands`` in order; their AMI actions wait for the journal to be
        written through ``journal_mark`` (see router.effects.gate)."""
        self._mark = journal_mark
        try:
            for command in commands:
                self._one(command)
        finally:
            self._mark = None

    async def drain(self, timeout_s: float) -> bool:
        """Wait for the AMI actions already written (graceful stop)."""
        if self.inflight:
            await asyncio.wait(list(self.inflight), timeout=timeout_s)
        return not self.inflight

    def _one(self, command: cmd.Command) -> None:
        match command:
            case cmd.OriginateLeg():
                self._log.info("leg_originate", call_id=command.call_id, leg_id=command.leg_id,
                               queue=command.queue, ring_timeout_s=command.ring_timeout_s)
                self._ami_action(command.call_id, lambda: render.originate_leg(command),
                                 "OriginateLeg", leg_id=command.leg_id)
            case cmd.BlindTransfer():
                self._log.info("blind_transfer", call_id=command.call_id,
                               context=command.context, exten=command.exten)
                self._ami_action(command.call_id, lambda: render.blind_transfer(command),
                                 "BlindTransfer")
            case cmd.HangupChannel():
                self._ami_action(command.call_id, lambda: render.hangup(command), "HangupChannel",
                                 quiet=True)
            case cmd.SetChannelVar():
                self._ami_action(command.call_id, lambda: render.set_var(command),
                                 "SetChannelVar", quiet=True)
            case cmd.ReplyToRequest():
                self._reply(command)
            case cmd.PublishCallEvent():
                self._publish_event(command)
            case cmd.NotifyOperator():
                self._bus.publish_nowait(self._topics.party("operator", command.operator,
                                                            "notices"), {
                    "v": EVENT_VERSION, "call_id": command.call_id, "notice": command.notice,
                    "data": dict(command.data)})
            case cmd.RecordCall():
                self._recorder.record_nowait(command.record)
            case cmd.StartTimer():
                self._timers.start(command.call_id, command.name, command.at)
            case cmd.CancelTimer():
                self._timers.cancel(command.call_id, command.name)
            case cmd.CreateTicket():
                if self._tickets is None:
                    self._feedback(TicketFailed(command.call_id, "no_ticket_store"))
                else:
                    self._tickets(command)
            case cmd.SetPresence():
                self._presence(command)
            case cmd.ReplyToParty():
                self._bus.publish_nowait(self._topics.party(command.role, command.party,
                                                            "replies"), {
                    "v": EVENT_VERSION, "request_id": command.request_id,
                    "accepted": command.accepted, "reason": command.reason})

    def _reply(self, command: cmd.ReplyToRequest) -> None:
        log = self._log.bind(call_id=command.call_id or None, request_id=command.request_id)
        log.info("transfer_request_answered", accepted=command.accepted, reason=command.reason,
                 source=command.source, **dict(command.detail))
        if command.source == "phone":
            self._ami_action(command.call_id, lambda: render.reply_on_phone(command),
                             "ReplyToRequest", quiet=True)
        elif command.operator:
            self._bus.publish_nowait(self._topics.party("operator", command.operator,
                                                        "replies"), {
                "v": EVENT_VERSION, "request_id": command.request_id,
                "accepted": command.accepted, "reason": command.reason,
                "call_id": command.call_id or None, "detail": dict(command.detail)})

    def _presence(self, command: cmd.SetPresence) -> None:
        self._log.info("presence_changed", party=command.party, role=command.role,
                       paused=command.paused, reason=command.reason, source=command.source)
        interface = self._dialplan.member_interface.format(extension=command.extension)
        self._ami_action("", lambda: render.queue_pause(interface, command.paused,
                                                        command.reason), "SetPresence")
        self._bus.publish_nowait(
            self._topics.party(command.role, command.party, "presence"),
            {"v": EVENT_VERSION, "paused": command.paused, "reason": command.reason,
             "logged_in": command.reason != "logged-out", "source": command.source},
            retain=True)

    def _publish_event(self, command: cmd.PublishCallEvent) -> None:
        data = dict(command.data)
        self._log.info(command.kind, call_id=command.call_id, **data)
        self._recorder.event_nowait({
            "kind": command.kind, "call_id": command.call_id, "at": f"{command.at:.3f}",
            "data": orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()})
        self._bus.publish_nowait(self._topics.call_events(command.call_id), {
            "v": EVENT_VERSION, "event_id": f"{command.call_id}/{self._incarnation}.{command.seq}",
            "kind": command.kind, "call_id": command.call_id, "at": command.at, "data": data})

    def _ami_action(self, call_id: str, build: Callable[[], AmiAction | None], what: str, *,
                    leg_id: str | None = None, quiet: bool = False) -> None:
        try:
            action = build()
            if action is None:
                return
            future = (self._gate.submit(action, self._mark) if self._gate is not None
                      else self._ami.submit(action))
        except AmiError as exc:
            self._failed(call_id, what, exc, leg_id, quiet)
            return
        self.inflight.add(future)

        def done(fut: asyncio.Future[AmiResponse]) -> None:
            self.inflight.discard(fut)
            if fut.cancelled():
                return
            error = fut.exception()
            if error is None and not fut.result().ok:
                error = AmiError(fut.result().text)
            if error is not None:
                self._failed(call_id, what, error, leg_id, quiet)

        future.add_done_callback(done)

    def _failed(self, call_id: str, what: str, error: BaseException, leg_id: str | None,
                quiet: bool) -> None:
        self.failures[what] += 1
        log = self._log.debug if quiet else self._log.warning
        log("command_failed", call_id=call_id, command=what, error=type(error).__name__,
            detail=str(error))
        if leg_id is not None and not isinstance(error, AmiLinkLost):
            # with the link gone the PBX may or may not have the leg: the resync after the
            # next login says which (a leg it does not have is "lost"), not this failure
            self._feedback(CommandFailed(call_id, what, type(error).__name__, leg_id))
