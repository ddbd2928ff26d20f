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
from collections.abc import Iterable
from dataclasses import dataclass, field

from router.errors import AmiInjectionError

__all__ = ["AmiMessage", "FrameDecoder", "FrameError", "encode_action"]

_BANNER = re.compile(rb"^[^\n]*Call Manager/[^\n]*\n")
# "Name: value" (or "Name:value"); a line that does not match is malformed and skipped
_HEADER = re.compile(r"^([^\s:]+): ?(.*)$", re.M)


@dataclass(frozen=True, slots=True)
class AmiMessage:
    """One AMI message: its headers in wire order (names may repeat)."""

    headers: tuple[tuple[str, str], ...]
    _index: dict[str, str] | None = field(default=None, compare=False, repr=False)
    _folded: dict[str, str] | None = field(default=None, compare=False, repr=False)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name`` (exact name first: Asterisk always sends its
        canonical spelling; then case-insensitive)."""
        index = self._index
        if index is None:
            index = dict(reversed(self.headers))  # the first occurrence of a name wins
            object.__setattr__(self, "_index", index)
        found = index.get(name)
        if found is not None:
            return found
        folded = self._folded
        if folded is None:
            folded = {key.lower(): value for key, value in reversed(self.headers)}
            object.__setattr__(self, "_folded", folded)
        return folded.get(name.lower(), default)

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
    """Incremental decoder: ``feed(bytes)`` yields complete messages and frame errors.

    Line ends are normalised to LF as bytes arrive (a CR at the very end of a read waits for
    the next one), then the buffer is split on blank lines in one pass.
    """

    max_message_bytes: int = 1 << 20
    expect_banner: bool = True
    # events the consumer has no use for are dropped before their headers are parsed
    # (unless they answer an action: they carry an ActionID); None keeps every event
    wanted: frozenset[str] | None = None
    banner: str | None = None
    malformed_lines: int = 0
    skipped: int = 0
    _buffer: bytes = b""
    _discarding: bool = False
    _wanted_lines: frozenset[bytes] | None = None

    def __post_init__(self) -> None:
        if self.wanted is not None:
            self._wanted_lines = frozenset(f"Event: {name}".encode() for name in self.wanted)

    def feed(self, data: bytes) -> list[AmiMessage | FrameError]:
        data = self._buffer + data
        if data.endswith(b"\r"):
            data, carry = data[:-1], b"\r"
        else:
            carry = b""
        data = data.replace(b"\r\n", b"\n")
        out: list[AmiMessage | FrameError] = []
        if self.expect_banner:
            match = _BANNER.match(data)
            if match is None:
                if b"\n" not in data:
                    self._buffer = data + carry
                    return out
            else:
                self.banner = match.group(0).decode("utf-8", "replace").strip()
                data = data[match.end():]
            self.expect_banner = False
        *blocks, rest = data.split(b"\n\n")
        wanted = self._wanted_lines
        for block in blocks:
            if self._discarding:
                self._discarding = False
                continue
            if wanted is not None and block.startswith(b"Event: "):
                first = block.split(b"\n", 1)[0]
                if first not in wanted and b"ActionID:" not in block:
                    self.skipped += 1
                    continue
            if block.strip(b"\n"):
                out.append(self._parse(block))
        if len(rest) > self.max_message_bytes:
            if not self._discarding:
                out.append(FrameError("oversized", rest[:80].decode("utf-8", "replace")))
            self._discarding = True
            rest = rest[-1:]  # it may start the terminator
        self._buffer = rest + carry
        return out

    def _parse(self, block: bytes) -> AmiMessage | FrameError:
        text = block.strip(b"\n").decode("utf-8", "replace")
        headers = _HEADER.findall(text)
        malformed = text.count("\n") + 1 - len(headers)
        if malformed:
            self.malformed_lines += malformed
        if not headers:
            return FrameError("no headers", text[:80])
        return AmiMessage(tuple(headers))


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
