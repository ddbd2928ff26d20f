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
from dataclasses import dataclass

from router.errors import AmiInjectionError

__all__ = ["AmiMessage", "FrameDecoder", "FrameError", "encode_action"]

_BANNER = re.compile(rb"^[^\n]*Call Manager/[^\n]*\n")
# "Name: value" (or "Name:value"), the line ended by LF or CRLF; a line that does not match
# is malformed and skipped
_HEADER = re.compile(r"^([^\s:]+): ?(.*?)\r?$", re.M)
# a line that does not start "Name:" (in text wrapped in "\n"): the rare message whose lines
# must be counted and parsed one by one
_MALFORMED_LINE = re.compile(r"\n(?![^\s:]+:)(?=.)")
# bare LFs inside a CRLF message: those ending a value are dropped, the rest read as spaces
_BARE_LF_AT_END = re.compile(rb"(?<!\r)\n+(?=\r\n|\Z)")
_BARE_LF = re.compile(rb"(?<!\r)\n")


class AmiMessage:
    """One AMI message: ``Key: Value`` headers in wire order (names may repeat).

    Immutable. A message decoded from the wire keeps its text and finds a header when asked
    (a ``str.find`` in C), so the headers of an event that nobody reads are never split
    into Python objects; ``headers`` splits them all on first use. Lookup is by the exact
    name first — Asterisk always sends its canonical spelling — then case-insensitive.
    """

    __slots__ = ("_folded", "_headers", "_text")

    def __init__(self, headers: tuple[tuple[str, str], ...]) -> None:
        self._text: str | None = None
        self._headers: tuple[tuple[str, str], ...] | None = headers
        self._folded: dict[str, str] | None = None

    @classmethod
    def from_wire(cls, text: str) -> AmiMessage:
        """A message from decoded wire text, ``"\\n"`` before and after every line, each
        line a well-formed header (a CR before a line's LF is not part of its value)."""
        message = cls.__new__(cls)
        message._text = text  # "\n<Name>: <value>[\r]" lines, ended by a "\n"
        message._headers = None
        message._folded = None
        return message

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        headers = self._headers
        if headers is None:
            assert self._text is not None
            headers = self._headers = tuple(_HEADER.findall(self._text))
        return headers

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of header ``name``."""
        text = self._text
        if text is not None:
            value = _first(text, name)
            if value is not None:
                return value
        else:
            for key, value in self.headers:
                if key == name:
                    return value
        folded = self._folded
        if folded is None:
            folded = {key.lower(): value for key, value in reversed(self.headers)}
            self._folded = folded
        return folded.get(name.lower(), default)

    def get_each(self, *names: str) -> tuple[str | None, ...]:
        """``get`` for several names at once (the hot path: one call per event)."""
        text = self._text
        if text is None:
            return tuple(self.get(name) for name in names)
        values = [_first(text, name) for name in names]
        return tuple(self.get(name) if value is None else value
                     for name, value in zip(names, values, strict=True))

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` in wire order (e.g. ``ChanVariable``)."""
        text = self._text
        if text is not None:
            needle, values = _NEEDLES.get(name) or _needle(name), []
            at = text.find(needle)
            while at >= 0:
                value, end = _value_at(text, at + len(needle))
                values.append(value)
                at = text.find(needle, end)
            if values:
                return values
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    def variable(self, name: str, header: str = "ChanVariable") -> str | None:
        """``variables(header).get(name)`` without building the mapping: the router asks
        every Hangup and Bridge event for one variable of its own."""
        text = self._text
        if text is None or f"\n{header}:" not in text:
            return self.variables(header).get(name)
        at = max(text.rfind(f"\n{header}: {name}="), text.rfind(f"\n{header}:{name}="))
        if at < 0:
            return None
        # the last one set wins, as in ``variables``
        return _until_line_end(text, text.index("=", at) + 1)[0]

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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AmiMessage) and self.headers == other.headers

    def __hash__(self) -> int:
        return hash(self.headers)

    def __repr__(self) -> str:
        return f"AmiMessage({self.headers!r})"


_NEEDLES: dict[str, str] = {}


def _first(text: str, name: str) -> str | None:
    needle = _NEEDLES.get(name) or _needle(name)
    at = text.find(needle)
    return None if at < 0 else _value_at(text, at + len(needle))[0]


def _value_at(text: str, at: int) -> tuple[str, int]:
    """The value just past a header's colon ("Name: value" or "Name:value"), and where
    its line ends."""
    return _until_line_end(text, at + 1 if text[at] == " " else at)


def _until_line_end(text: str, at: int) -> tuple[str, int]:
    end = text.find("\n", at)  # the text ends with a line end: always found
    return (text[at:end - 1] if text[end - 1] == "\r" else text[at:end]), end


def _needle(name: str) -> str:
    needle = _NEEDLES.get(name)
    if needle is None:
        needle = f"\n{name}:"
        if len(_NEEDLES) < 1024:  # header names come from code, not the wire; bound anyway
            _NEEDLES[name] = needle
    return needle


@dataclass(frozen=True, slots=True)
class FrameError:
    """Something on the wire that is not a usable message; logged and counted."""

    reason: str
    excerpt: str = ""


@dataclass(slots=True)
class FrameDecoder:
    """Incremental decoder: ``feed(bytes)`` yields complete messages and frame errors.

    The peer's first line end sets the framing. Asterisk ends every line with CRLF: the
    buffer is split on CRLF CRLF in one pass, and only that ends a message; a bare LF in a
    value is not a line end (a trailing one is dropped, an inner one read as a space). A
    peer whose first line ends in a bare LF is read with every line end normalised to LF as
    bytes arrive (a CR at the very end of a read waits for the next).
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
    _crlf: bool | None = None  # None until the first line end is seen
    _wanted_lines: frozenset[bytes] | None = None
    _wanted_prefixes: tuple[tuple[bytes, ...], tuple[bytes, ...]] = ((), ())  # [crlf]

    def __post_init__(self) -> None:
        if self.wanted is not None:
            lines = frozenset(f"Event: {name}".encode() for name in self.wanted)
            self._wanted_lines = lines
            self._wanted_prefixes = (tuple(line + b"\n" for line in lines),
                                     tuple(line + b"\r\n" for line in lines))

    def feed(self, data: bytes) -> list[AmiMessage | FrameError]:
        data = self._buffer + data
        crlf = self._crlf
        if crlf is None:
            first = data.find(b"\n")
            if first < 0 and len(data) <= self.max_message_bytes:
                self._buffer = data  # not one whole line yet
                return []
            crlf = self._crlf = first > 0 and data[first - 1] == 0x0D
        carry = b""
        if not crlf:
            if data.endswith(b"\r"):
                data, carry = data[:-1], b"\r"
            data = data.replace(b"\r\n", b"\n")
        out: list[AmiMessage | FrameError] = []
        if self.expect_banner:
            match = _BANNER.match(data)
            if match is not None:
                self.banner = match.group(0).decode("utf-8", "replace").strip()
                data = data[match.end():]
            self.expect_banner = False
        eol = b"\r\n" if crlf else b"\n"
        end = "\r\n" if crlf else "\n"
        *blocks, rest = data.split(eol + eol)
        if self._discarding and blocks:
            self._discarding = False
            del blocks[0]  # the tail of an oversized message
        wanted = self._wanted_lines
        if wanted is not None:
            prefixes = self._wanted_prefixes[crlf]
            kept = [block for block in blocks if not block.startswith(b"Event: ")
                    or block.startswith(prefixes) or block in wanted
                    or b"ActionID:" in block]
            self.skipped += len(blocks) - len(kept)  # events nobody reads, never parsed
            blocks = kept
        # a bare LF anywhere in this read? (two scans in C per read, not per message)
        bare_lf = crlf and data.count(b"\n") != data.count(b"\r\n")
        for raw in blocks:
            block = raw
            while block.startswith(eol):  # more blank lines than one
                block = block[len(eol):]
            if not block:
                continue
            if bare_lf and block.count(b"\n") != block.count(b"\r\n"):
                # Asterisk ends lines with CRLF and writes values raw: a bare LF is part of
                # a value (a dialplan AppData, a caller name looked up with a newline), not
                # a line end, and only an empty CRLF line ends a message
                block = _BARE_LF.sub(b" ", _BARE_LF_AT_END.sub(b"", block))
            out.append(self._message(block.decode("utf-8", "replace"), end))
        if len(rest) > self.max_message_bytes:
            if not self._discarding:
                out.append(FrameError("oversized", rest[:80].decode("utf-8", "replace")))
            self._discarding = True
            rest = rest[1 - 2 * len(eol):]  # it may start the terminator
        self._buffer = rest + carry
        return out

    def _message(self, body: str, end: str) -> AmiMessage | FrameError:
        text = f"\n{body}{end}"  # every line, the last one too, ends as the peer ends lines
        if _MALFORMED_LINE.search(text) is None:
            return AmiMessage.from_wire(text)
        return self._parse_malformed(text)

    def _parse_malformed(self, text: str) -> AmiMessage | FrameError:
        headers = _HEADER.findall(text)
        self.malformed_lines += text.count("\n") - 1 - len(headers)
        if not headers:
            return FrameError("no headers", text[1:81])
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
