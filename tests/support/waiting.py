"""Wait on the event you expect, with a deadline (never a bare sleep)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recorder(Generic[T]):
    """Collects items from a stream; ``wait_for`` returns the first match, with a deadline."""

    def __init__(self) -> None:
        self.items: list[T] = []
        self._changed = asyncio.Condition()

    async def add(self, item: T) -> None:
        async with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[T], bool], timeout: float = 10.0,
                       what: str = "item") -> T:
        try:
            async with asyncio.timeout(timeout), self._changed:
                start = 0
                while True:
                    for item in self.items[start:]:
                        if predicate(item):
                            return item
                    start = len(self.items)
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"no {what} within {timeout} s") from None

    def matching(self, predicate: Callable[[T], bool]) -> list[T]:
        return [item for item in self.items if predicate(item)]


async def until(condition: Callable[[], object], timeout: float = 10.0,
                what: str = "condition", poll_s: float = 0.02) -> None:
    """Poll a cheap in-process condition until it holds (deadline-bounded)."""
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(poll_s)
    except TimeoutError:
        raise AssertionError(f"{what} did not hold within {timeout} s") from None


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 10.0,
                     what: str = "result", poll_s: float = 0.05) -> T:
    """Ask ``probe`` until it returns something (e.g. a record another process writes)."""
    try:
        async with asyncio.timeout(timeout):
            while (found := await probe()) is None:
                await asyncio.sleep(poll_s)
            return found
    except TimeoutError:
        raise AssertionError(f"no {what} within {timeout} s") from None
