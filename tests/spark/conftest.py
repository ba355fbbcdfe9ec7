"""Shared fixtures for the Spark detector's tests: the job's module on sys.path and a Tansu broker.

Run them with `scripts/test-spark`, which sets up the detector's virtualenv (pyspark, confluent-kafka) first.
"""

from __future__ import annotations

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
