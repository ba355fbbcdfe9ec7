"""A plain Python load generator of windtunnel's events, the kind the course's load-generator image is:
one process, confluent-kafka, one `json.dumps` and one `produce` per event. `windtunnel bench` runs it
next to `windtunnel generate` with the same producer properties (-X), unthrottled, and divides.

Prints one JSON line: {"acknowledged": N, "failed": N, "seconds": S, "records_per_second": R}, where the
time runs from the first send to the last delivery report.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from confluent_kafka import KafkaException, Producer

SEVERITIES = ("Low", "Medium", "High", "Critical")
STATUSES = ("OK", "OK", "OK", "WARN", "ERROR")
CONTENT = (
    "GET /api/orders 200 in 12 ms", "user session refreshed", "cache miss for profile", "payment authorised",
    "slow query on inventory table", "worker heartbeat", "retrying upstream call", "image resized",
)
CRASH_CONTENT = ("app crash in renderer", "service Crash after OOM", "CRASH: null pointer in parser", "worker crashed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, required=True, help="events to send")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--term-every", type=int, default=100, help="every n-th event carries the crash term")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-X", dest="properties", action="append", default=[], metavar="KEY=VALUE",
                        help="a librdkafka property, repeatable")
    args = parser.parse_args()
    config = {"bootstrap.servers": args.brokers}
    for item in args.properties:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"python_generator: -X {item!r} is not key=value", file=sys.stderr)
            return 2
        config[key] = value

    rng = random.Random(args.seed)
    delivered = {"ok": 0, "failed": 0, "last": 0.0}

    def report(error, _message):
        delivered["failed" if error else "ok"] += 1
        delivered["last"] = time.monotonic()

    producer = Producer(config)
    start = time.monotonic()
    base_ms = int(time.time() * 1000)
    for sequence in range(args.count):
        user = f"user_{1000 + rng.randrange(args.users)}"
        crash = sequence % args.term_every == 0
        event = {
            "timestamp": base_ms + sequence // 100,
            "status": rng.choice(STATUSES),
            "severity": rng.choice(SEVERITIES),
            "source_ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "user_id": user,
            "content": rng.choice(CRASH_CONTENT if crash else CONTENT),
        }
        headers = [("wt-worker", b"0"), ("wt-seq", str(sequence).encode())]
        while True:
            try:
                producer.produce(args.topic, key=user, value=json.dumps(event), headers=headers, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.005)
        producer.poll(0)
    left = producer.flush(120)
    if left:
        print(f"python_generator: {left} records were still in flight after 120 s", file=sys.stderr)
        return 1
    seconds = max(delivered["last"] - start, 1e-9)
    print(json.dumps({"acknowledged": delivered["ok"], "failed": delivered["failed"], "seconds": seconds,
                      "records_per_second": delivered["ok"] / seconds}))
    return 0 if delivered["failed"] == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KafkaException as error:
        print(f"python_generator: {error}", file=sys.stderr)
        sys.exit(1)
