"""A slow MQTT subscriber in its own process: its message callback blocks paho's network
loop for ``delay`` seconds per message, so it stops reading its socket and acknowledging,
as a struggling monitoring consumer would. Prints ``subscribed``, then, once it has
``expected`` distinct ``seq`` values (or after ``timeout``), the count of distinct ones.

    python -m tests.support.slow_subscriber PORT TOPIC DELAY_S EXPECTED TIMEOUT_S
"""

from __future__ import annotations

import json
import sys
import threading
import time

import paho.mqtt.client as paho


def main() -> None:
    port, topic, delay, expected, timeout = sys.argv[1:6]
    seen: set[int] = set()
    done = threading.Event()

    def on_message(_c: paho.Client, _u: object, message: paho.MQTTMessage) -> None:
        time.sleep(float(delay))  # the slowness: nothing is read meanwhile
        seen.add(int(json.loads(message.payload)["seq"]))
        if len(seen) >= int(expected):
            done.set()

    def on_subscribe(*_args: object) -> None:
        print("subscribed", flush=True)

    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="slow-subscriber")
    client.on_message = on_message
    client.on_subscribe = on_subscribe
    client.on_connect = lambda c, *_a: c.subscribe(topic, qos=1)
    client.connect("127.0.0.1", int(port))
    client.loop_start()
    done.wait(float(timeout))
    client.loop_stop()
    print(len(seen), flush=True)


if __name__ == "__main__":
    main()
