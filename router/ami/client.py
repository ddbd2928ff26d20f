"""The AMI client: one supervised link to Asterisk, actions with deadlines, events in order.

Why not panoramisk: panoramisk 1.4 replays un-answered actions after a reconnect
(an Originate could ring a specialist minutes later), has no action timeouts (and leaks a
timed-out action in its table), ignores Ping replies (a half-open link goes unnoticed),
drops a UTF-8 character split across two reads, lets an exception in an event handler kill
the connection, never resolves QueueAdd's future and is silent on a failed login. Fixing
all of that meant replacing its protocol class wholesale, so this small client implements
the same role directly:

* actions are never replayed: when the link drops, every pending action fails with
  :class:`AmiLinkLost` and its caller decides;
* every action has a deadline; a timed-out action is removed from the pending table;
* a watchdog pings every ``ping_interval_s`` and drops a link that does not answer within
  ``ping_timeout_s`` — unless bytes kept arriving or the reader was held back by a full
  event queue: then the Pong is only queued behind a flood, and the link is alive (a late
  ping is counted); reconnects back off exponentially with full jitter;
* events go into one bounded queue read by one consumer, in wire order; nothing a consumer
  does can break the reader;
* a refused login raises :class:`AmiLoginError` (fatal); after each login, once Asterisk
  says ``FullyBooted``, a :class:`LinkState` ``up`` marker is queued so the consumer can
  resync before it trusts any state.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from router.ami.frames import AmiMessage, FrameDecoder, FrameError, encode_action
from router.config import AmiSettings
from router.errors import AmiActionFailed, AmiError, AmiLinkLost, AmiLoginError, AmiTimeout
from router.log import get_logger

__all__ = ["AmiAction", "AmiClient", "AmiResponse", "AmiStats", "LinkState", "OpenConnection"]

OpenConnection = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]


@dataclass(frozen=True, slots=True)
class AmiAction:
    """An action to send. ``action_id`` may be chosen by the caller for correlation."""

    name: str
    headers: tuple[tuple[str, str], ...] = ()
    action_id: str | None = None
    timeout_s: float | None = None


@dataclass(frozen=True, slots=True)
class AmiResponse:
    """A response, with the events of an event list (``QueueStatus``, ``CoreShowChannels``)."""

    message: AmiMessage
    events: tuple[AmiMessage, ...] = ()

    @property
    def ok(self) -> bool:
        return (self.message.response or "").lower() in {"success", "follows", "goodbye"}

    @property
    def text(self) -> str:
        return self.message.get("Message") or ""


@dataclass(frozen=True, slots=True)
class LinkState:
    """Queued among the events when the link comes up (after FullyBooted) or goes down."""

    up: bool
    session: int
    reason: str = ""


@dataclass(slots=True)
class AmiStats:
    sessions: int = 0
    reconnects: int = 0
    frame_errors: int = 0
    malformed_lines: int = 0
    late_responses: int = 0
    timeouts: int = 0
    events: int = 0
    skipped: int = 0
    late_pings: int = 0  # unanswered in time while the link was busy, not dead


@dataclass(slots=True)
class _Pending:
    name: str
    future: asyncio.Future[AmiResponse]
    response: AmiMessage | None = None
    events: list[AmiMessage] = field(default_factory=list)


class AmiClient:
    """Supervises the AMI link. Run :meth:`run` in a task; call :meth:`send` from anywhere."""

    def __init__(
        self,
        settings: AmiSettings,
        *,
        open_connection: OpenConnection | None = None,
        rng: Callable[[], float] = random.random,
        wanted: frozenset[str] | None = None,
    ) -> None:
        self._wanted = wanted
        self._settings = settings
        self._open: OpenConnection = open_connection or asyncio.open_connection
        self._rng = rng
        self._log = get_logger(component="ami", host=settings.host, port=settings.port)
        self.events: asyncio.Queue[AmiMessage | LinkState] = asyncio.Queue(
            settings.event_queue_size
        )
        self.stats = AmiStats()
        self.connected = asyncio.Event()
        self._pending: dict[str, _Pending] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._ids = itertools.count(1)
        self._last_read_at = 0.0  # monotonic: when bytes last arrived
        self._held_back = False  # the reader waits for room in the event queue
        self._session = 0
        self._booted = asyncio.Event()

    # -- public ---------------------------------------------------------------------------

    async def send(self, action: AmiAction) -> AmiResponse:
        """Send one action and wait for its response (and event list, if any).

        Raises:
            AmiLinkLost: the link is down, or dropped before the response came.
            AmiTimeout: no response within the deadline.
            AmiActionFailed: Asterisk answered ``Response: Error``.
        """
        if not self.connected.is_set():
            raise AmiLinkLost(f"{action.name}: AMI link is down")
        response = await self._send(action)
        if not response.ok:
            raise AmiActionFailed(action.name, response.text)
        return response

    async def run(self) -> None:
        """Connect, log in, read, ping; reconnect with backoff forever.

        Raises:
            AmiLoginError: Asterisk refused the credentials (not retried).
        """
        failures = 0
        while True:
            try:
                await self._run_session()
                failures = 0
            except AmiLoginError:
                raise
            except (OSError, EOFError, AmiError, TimeoutError) as exc:
                self._log.warning("ami_link_down", reason=_reason(exc), session=self._session)
            failures += 1
            delay = min(
                self._settings.reconnect_max_s,
                self._settings.reconnect_min_s * (2 ** min(failures - 1, 16)),
            )
            await asyncio.sleep(delay * (0.5 + self._rng() / 2))
            self.stats.reconnects += 1

    # -- one session ---------------------------------------------------------------------

    async def _run_session(self) -> None:
        settings = self._settings
        reader, writer = await asyncio.wait_for(
            self._open(settings.host, settings.port), settings.connect_timeout_s
        )
        self._writer = writer
        self._booted.clear()
        self._session += 1
        decoder = FrameDecoder(max_message_bytes=settings.max_frame_bytes,
                               wanted=self._wanted)
        reason = "closed"
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._read(reader, decoder), name="ami-reader")
                await self._login()
                await asyncio.wait_for(self._booted.wait(), settings.fully_booted_timeout_s)
                self.stats.sessions += 1
                self.connected.set()
                await self.events.put(LinkState(up=True, session=self._session))
                self._log.info("ami_link_up", session=self._session,
                               reconnects=self.stats.reconnects, banner=decoder.banner)
                group.create_task(self._watchdog(), name="ami-watchdog")
        except BaseExceptionGroup as group_exc:
            first = _first_cause(group_exc)
            reason = _reason(first)
            if isinstance(first, AmiLoginError):
                raise first from None
            if isinstance(first, OSError | EOFError | AmiError | TimeoutError):
                raise AmiLinkLost(reason) from first
            raise
        finally:
            was_up = self.connected.is_set()
            self.connected.clear()
            self._fail_pending(AmiLinkLost(f"AMI link lost: {reason}"))
            writer.close()
            with contextlib.suppress(OSError, RuntimeError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            self._writer = None
            if was_up:
                self._put_marker(LinkState(up=False, session=self._session, reason=reason))
        raise AmiLinkLost("AMI peer closed the link")

    async def _login(self) -> None:
        secret = self._settings.secret.get_secret_value()
        response = await self._send(
            AmiAction("Login", (("Username", self._settings.username), ("Secret", secret),
                                ("Events", "on")))
        )
        if not response.ok:
            raise AmiLoginError(
                f"AMI login as {self._settings.username!r} refused: {response.text or 'no reason'}"
            )

    async def _watchdog(self) -> None:
        """A half-open link answers nothing: a Ping without reply ends the session."""
        while True:
            await asyncio.sleep(self._settings.ping_interval_s)
            sent_at = time.monotonic()
            try:
                await self._send(AmiAction("Ping", timeout_s=self._settings.ping_timeout_s))
            except AmiTimeout as exc:
                if self._last_read_at < sent_at and not self._held_back:
                    raise AmiLinkLost("ping unanswered (half-open link?)") from exc
                self.stats.late_pings += 1  # the Pong waits behind events still unread
                self._log.warning("ami_ping_late", held_back=self._held_back)

    async def _read(self, reader: asyncio.StreamReader, decoder: FrameDecoder) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                raise EOFError("AMI peer closed the link")
            self._last_read_at = time.monotonic()
            for item in decoder.feed(data):
                if isinstance(item, FrameError):
                    self.stats.frame_errors += 1
                    self._log.warning("ami_frame_error", reason=item.reason, excerpt=item.excerpt)
                else:
                    await self._dispatch(item)
            self.stats.malformed_lines = decoder.malformed_lines
            self.stats.skipped = decoder.skipped

    async def _dispatch(self, message: AmiMessage) -> None:
        action_id = message.action_id
        pending = self._pending.get(action_id) if action_id else None
        # OriginateResponse is an *event* that also carries a Response header
        if message.response is not None and message.event is None:
            if pending is None:
                self.stats.late_responses += 1
                self._log.debug("ami_late_response", action_id=action_id)
                return
            if (message.get("EventList") or "").lower() == "start":
                pending.response = message
                return
            self._resolve(action_id, AmiResponse(message))
            return
        if pending is not None and pending.response is not None:
            if (message.get("EventList") or "").lower() == "complete":
                self._resolve(action_id, AmiResponse(pending.response, tuple(pending.events)))
            else:
                pending.events.append(message)
            return
        if message.event == "FullyBooted":
            self._booted.set()
        self.stats.events += 1
        if self.events.full():
            self._held_back = True
            try:
                await self.events.put(message)
            finally:
                self._held_back = False
        else:
            self.events.put_nowait(message)

    # -- plumbing ------------------------------------------------------------------------

    def submit(self, action: AmiAction) -> asyncio.Future[AmiResponse]:
        """Write ``action`` now and return a future for its response; never blocks.

        The future fails with AmiTimeout after the deadline or AmiLinkLost if the link
        drops first; it resolves with the response whatever its ``Response`` (check
        ``.ok``). Raises AmiLinkLost at once if the link is down.
        """
        if not self.connected.is_set():
            raise AmiLinkLost(f"{action.name}: AMI link is down")
        return self._submit(action)

    async def _send(self, action: AmiAction) -> AmiResponse:
        future = self._submit(action)
        writer = self._writer
        if writer is not None:
            await asyncio.wait_for(writer.drain(), action.timeout_s or
                                   self._settings.action_timeout_s)
        return await future

    def _submit(self, action: AmiAction) -> asyncio.Future[AmiResponse]:
        writer = self._writer
        if writer is None:
            raise AmiLinkLost(f"{action.name}: AMI link is down")
        action_id = action.action_id or f"hr-{self._session}-{next(self._ids)}"
        if action_id in self._pending:
            raise AmiError(f"{action.name}: ActionID {action_id!r} already pending")
        frame = encode_action(action.name, action_id, action.headers)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AmiResponse] = loop.create_future()
        self._pending[action_id] = _Pending(action.name, future)
        timeout = action.timeout_s or self._settings.action_timeout_s
        expiry = loop.call_later(timeout, self._expire, action_id, action.name, timeout)

        def settled(done: asyncio.Future[AmiResponse]) -> None:
            expiry.cancel()
            _retrieved(done)

        future.add_done_callback(settled)
        writer.write(frame)
        return future

    def _expire(self, action_id: str, name: str, timeout: float) -> None:
        """No response in time: the action leaves the pending table for good."""
        pending = self._pending.pop(action_id, None)
        if pending is not None and not pending.future.done():
            self.stats.timeouts += 1
            pending.future.set_exception(AmiTimeout(f"{name}: no response within {timeout:g} s"))

    def _put_marker(self, marker: LinkState) -> None:
        """Queue a link marker without waiting (this runs in ``finally``, maybe cancelled).

        If the consumer is so far behind that the queue is full, the oldest event makes
        room: the link is gone anyway and the next login resyncs everything.
        """
        if self.events.full():
            self.events.get_nowait()
        self.events.put_nowait(marker)

    def _resolve(self, action_id: str | None, response: AmiResponse) -> None:
        pending = self._pending.pop(action_id or "", None)
        if pending is not None and not pending.future.done():
            pending.future.set_result(response)

    def _fail_pending(self, error: AmiError) -> None:
        pending, self._pending = self._pending, {}
        for item in pending.values():
            if not item.future.done():
                item.future.set_exception(error)


def _retrieved(future: asyncio.Future[AmiResponse]) -> None:
    """Mark a failure as seen: whoever waited may be gone (cancelled, or fire-and-check)."""
    if not future.cancelled():
        future.exception()


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The exception that ended a session; a refused login wins over the rest."""
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop()
        if isinstance(exc, BaseExceptionGroup):
            stack.extend(exc.exceptions)
        else:
            leaves.append(exc)
    for exc in leaves:
        if isinstance(exc, AmiLoginError):
            return exc
    return leaves[0] if leaves else group


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
