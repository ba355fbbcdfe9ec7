"""Shared parts of the Spark detector's tests: the job's module on sys.path, a Tansu broker, producing events,
running the job until it has read a topic, and windtunnel's validator.

Run them with `scripts/test-spark`, which sets up the detector's virtualenv (pyspark, confluent-kafka) first.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
JOB_DIR = REPO / "detectors" / "spark"
JOB = JOB_DIR / "crash_monitor.py"
TANSU = REPO / ".deps" / "bin" / "tansu"
WINDTUNNEL = REPO / ".build" / "debug" / "windtunnel"

sys.path.insert(0, str(JOB_DIR))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_broker(address: str, process: subprocess.Popen, timeout_s: float = 20.0) -> None:
    """Returns once the broker answers a Metadata request."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Tansu broker exited with code {process.returncode}")
        try:
            AdminClient({"bootstrap.servers": address}).list_topics(timeout=2)
            return
        except KafkaException:
            time.sleep(0.1)
    raise RuntimeError(f"the Tansu broker at {address} did not answer within {timeout_s} s")


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A Tansu broker in memory on a free port, for one test module; yields its address."""
    if not TANSU.exists():
        pytest.fail(f"{TANSU.relative_to(REPO)} is missing: run scripts/setup")
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(TANSU), "broker", "--storage-engine=memory://tansu/", f"--kafka-listener-url=tcp://{address}",
             f"--kafka-advertised-listener-url=tcp://{address}"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_broker(address, process)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def event(ts: int, user: str, content: str, severity: str) -> str:
    """A log event as the generator writes it (DESIGN.md, "The domain")."""
    return json.dumps({"timestamp": ts, "status": "OK", "severity": severity, "source_ip": "10.1.2.3",
                       "user_id": user, "content": content})


def produce(broker: str, topic: str, partitions: int, values: list[str]) -> dict[tuple[int, int], str]:
    """Creates the topic and produces the values keyed by user; returns them by (partition, offset)."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": broker})
    for future in admin.create_topics([NewTopic(topic, partitions, 1)]).values():
        future.result()
    delivered: dict[tuple[int, int], str] = {}
    failures = []

    def on_delivery(error, message):
        if error is not None:
            failures.append(error)
        else:
            delivered[(message.partition(), message.offset())] = message.value().decode()

    producer = Producer({"bootstrap.servers": broker, "enable.idempotence": True, "linger.ms": 20})
    for value in values:
        match = re.search(r'"user_id": "([^"]+)"', value)
        producer.produce(topic, key=match.group(1) if match else "malformed", value=value, on_delivery=on_delivery)
        producer.poll(0)
    assert producer.flush(30) == 0 and not failures, f"produce failed: {failures[:3]}"
    return delivered


def read_jsonl(path: Path) -> list[dict]:
    """The complete lines of a JSONL file that may be being written."""
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines()]


def block_stop_signals() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def run_until_drained(job: Path, options: list[str], out: Path, produced: int, timeout_s: float = 240) -> str:
    """Runs the job until its batch log (`out/batches.jsonl`) shows every produced record read and one batch
    after that, then stops it with SIGTERM as the harness does; asserts that it exits 0 and returns its standard output.

    The job starts with SIGINT and SIGTERM blocked, as `windtunnel run` starts it (a process spawned from a
    libdispatch thread inherits that thread's signal mask).
    """
    with (out / "stdout").open("w") as stdout, (out / "stderr").open("w") as stderr:
        process = subprocess.Popen([sys.executable, str(job), *options], stdout=stdout, stderr=stderr,
                                   preexec_fn=block_stop_signals)
        deadline = time.monotonic() + timeout_s
        read_all_at = None
        while process.poll() is None:
            batches = read_jsonl(out / "batches.jsonl")
            complete = [sum(b["end_offsets"].values()) >= produced for b in batches]
            if complete and complete[-1] and read_all_at is None:
                read_all_at = time.monotonic()
            # The batch that reads the last records still runs with the watermark of the rows before it; the
            # no-data batch after it applies the final watermark and closes the windows. Stop after that one
            # (or, should it never come, 30 s after everything was read).
            if read_all_at is not None and (complete[-2:] == [True, True] or time.monotonic() > read_all_at + 30):
                process.send_signal(signal.SIGTERM)
                break
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the job did not read all {produced} records within {timeout_s} s")
            time.sleep(0.2)
        try:
            code = process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("the job did not stop within 120 s of SIGTERM")
    assert code == 0, (out / "stderr").read_text()[-3000:]
    return (out / "stdout").read_text()


@pytest.fixture(scope="session")
def windtunnel() -> Path:
    """The windtunnel binary (scripts/test-spark builds it).

    Without it the tests that need it fail under CI (`CI` set) or scripts/test-spark
    (`WINDTUNNEL_REQUIRE_BINARY=1`), so that they can never pass unrun; an ad-hoc pytest run skips them.
    """
    if not WINDTUNNEL.exists():
        reason = f"{WINDTUNNEL.relative_to(REPO)} is missing: run swift build --product windtunnel"
        if os.environ.get("CI") or os.environ.get("WINDTUNNEL_REQUIRE_BINARY") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return WINDTUNNEL


def validate(windtunnel: Path, broker: str, topic: str, alerts: str, batch_log: Path, report: Path) -> tuple[int, dict]:
    """Runs `windtunnel validate` with the course's rule; returns its exit code and validation.json."""
    result = subprocess.run([
        str(windtunnel), "validate", "--brokers", broker, "--topic", topic, "--alerts", alerts,
        "--batch-log", str(batch_log), "--window", "10s", "--watermark", "30s", "--threshold", "2",
        "--report", str(report),
    ], capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), f"validate could not judge (exit {result.returncode}): {result.stderr[-2000:]}"
    return result.returncode, json.loads((report / "validation.json").read_text())
