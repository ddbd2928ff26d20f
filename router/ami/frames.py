"""AMI wire format: bytes in, frozen messages out, and actions rendered back to bytes.

Pure: no sockets, no asyncio. An AMI message is a block of ``Key: Value`` lines ended by an
empty line. The decoder splits *bytes* on that empty line before decoding, so a UTF-8
character cut across two TCP reads (张三 arriving as ``\\xe5\\xbc`` + ``\\xa0三``) is whole
by the time it is decoded. It accepts LF-only line ends, survives malformed lines (counted,
skipped) and bounds the size of one message so a peer that never sends the blank line
cannot grow memory without limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from router.errors import AmiInjectionError

__all__ = ["AmiMessage", "FrameDecoder", "FrameError", "encode_action"]

_END = re.compile(rb"\r?\n\r?\n")
_BANNER = re.compile(rb"^[^\r\n]*Call Manager/[^\r\n]*\r?\n")


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One AMI message: its headers in wire order (names may repeat)."""

    headers: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` in wire order (e.g. ``ChanVariable``)."""
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    def variables(self, header: str = "ChanVariable") -> dict[str, str]:
        """``ChanVariable: NAME=value`` headers as a mapping (empty values included)."""
        out: dict[str, str] = {}
        for raw in self.get_all(header):
            name, _, value = raw.partition("=")
            out[name] = value
        return out

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")


@dataclass(frozen=True, slots=True)
class FrameError:
    """Something on the wire that is not a usable message; logged and counted."""

    reason: str
    excerpt: str = ""


@dataclass(slots=True)
class FrameDecoder:
    """Incremental decoder: ``feed(bytes)`` yields complete messages and frame errors."""

    max_message_bytes: int = 1 << 20
    expect_banner: bool = True
    banner: str | None = None
    malformed_lines: int = 0
    _buffer: bytearray = field(default_factory=bytearray)
    _scanned: int = 0
    _discarding: bool = False

    def feed(self, data: bytes) -> list[AmiMessage | FrameError]:
        self._buffer += data
        out: list[AmiMessage | FrameError] = []
        if self.expect_banner:
            match = _BANNER.match(self._buffer)
            if match is None:
                if b"\n" in self._buffer:
                    self.expect_banner = False  # no banner: a peer mid-stream; go on
                return out if self.expect_banner else self._drain(out)
            self.banner = match.group(0).decode("utf-8", "replace").strip()
            del self._buffer[: match.end()]
            self.expect_banner = False
        return self._drain(out)

    def _drain(self, out: list[AmiMessage | FrameError]) -> list[AmiMessage | FrameError]:
        while True:
            match = _END.search(self._buffer, max(0, self._scanned - 3))
            if match is None:
                self._scanned = len(self._buffer)
                if len(self._buffer) > self.max_message_bytes:
                    if not self._discarding:
                        out.append(FrameError("oversized", bytes(self._buffer[:80]).decode(
                            "utf-8", "replace")))
                    self._discarding = True
                    # keep the last bytes: they may start the terminator
                    del self._buffer[:-3]
                    self._scanned = 0
                return out
            block = bytes(self._buffer[: match.start()])
            del self._buffer[: match.end()]
            self._scanned = 0
            if self._discarding:
                self._discarding = False
                continue
            if not block.strip(b"\r\n"):
                continue
            out.append(self._parse(block))

    def _parse(self, block: bytes) -> AmiMessage | FrameError:
        text = block.decode("utf-8", "replace")
        headers: list[tuple[str, str]] = []
        for line in _lines(text):
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                self.malformed_lines += 1
                continue
            headers.append((name, value[1:] if value.startswith(" ") else value))
        if not headers:
            return FrameError("no headers", text[:80])
        return AmiMessage(tuple(headers))


def _lines(text: str) -> Iterator[str]:
    for line in text.split("\n"):
        stripped = line.rstrip("\r")
        if stripped:
            yield stripped


def encode_action(name: str, action_id: str, headers: Iterable[tuple[str, str]]) -> bytes:
    """Render one action. Refuses CR/LF anywhere: caller data must never add headers.

    Raises:
        AmiInjectionError: a name or value contains CR, LF or NUL.
    """
    for part in (name, action_id):
        if any(ch in part for ch in "\r\n\x00"):
            raise AmiInjectionError(f"action {name!r} carries a line break")
    lines = [f"Action: {name}", f"ActionID: {action_id}"]
    for key, value in headers:
        if not key or ":" in key or any(ch in key for ch in "\r\n\x00 "):
            raise AmiInjectionError(f"{name}: bad header name {key!r}")
        if any(ch in value for ch in "\r\n\x00"):
            raise AmiInjectionError(f"{name}: header {key!r} carries a line break")
        lines.append(f"{key}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
