"""An AMI event flood through the real Asterisk: a separate process logs in as the lab's
control user and has Asterisk broadcast ``UserEvent: Noise`` to every session at a steady
rate. Prints the number of events it had Asterisk send. With a channel and a time, it
also hangs that channel up that many seconds in (while the router may be stalled).

    python -m tests.support.flood PORT USER SECRET RATE SECONDS [CHANNEL AT_S]
"""

from __future__ import annotations

import asyncio
import sys
import time

FRAME = b"Action: UserEvent\r\nUserEvent: Noise\r\nPad: " + b"x" * 100 + b"\r\n\r\n"


async def flood(port: int, user: str, secret: str, rate: float, seconds: float,
                hangup: tuple[str, float] | None = None) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()  # the banner
    writer.write(f"Action: Login\r\nUsername: {user}\r\nSecret: {secret}\r\nEvents: off\r\n"
                 "\r\n".encode())

    async def discard() -> None:  # the responses
        while await reader.read(1 << 16):
            pass

    drain = asyncio.create_task(discard(), name="flood-responses")
    start, sent = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate)
        if due > sent:
            writer.write(FRAME * (due - sent))
            sent = due
            await writer.drain()
        if hangup is not None and elapsed >= hangup[1]:
            writer.write(f"Action: Hangup\r\nChannel: {hangup[0]}\r\n\r\n".encode())
            hangup = None
        await asyncio.sleep(0.005)
    writer.write(b"Action: Logoff\r\n\r\n")
    await writer.drain()
    await drain
    writer.close()
    return sent


def main() -> None:
    port, user, secret, rate, seconds = sys.argv[1:6]
    hangup = (sys.argv[6], float(sys.argv[7])) if len(sys.argv) > 7 else None
    print(asyncio.run(flood(int(port), user, secret, float(rate), float(seconds), hangup)))


if __name__ == "__main__":
    main()
