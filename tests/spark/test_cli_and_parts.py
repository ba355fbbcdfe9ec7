"""The job's command line (user errors are one line with exit code 2) and its parts that need no Spark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import crash_monitor
from conftest import JOB, free_port
from pykafka_source import apportion, take_contiguous


def run_job(*options: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(JOB), *options], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("options, named", [
    (["--console", "--trigger", "fast"], "--trigger: 'fast' is not a duration"),
    (["--console", "--window", "0s"], "--window: '0s' must be longer than zero"),
    (["--console", "--threshold", "-1"], "--threshold: '-1' must not be negative"),
    (["--console", "--severities", "High,Urgent"], "--severities: 'High,Urgent'"),
    (["--console", "--timezone", "Mars/Olympus"], "--timezone: 'Mars/Olympus' is not a time zone"),
    (["--console", "--mode", "complete"], "--mode: invalid choice: 'complete'"),
    (["--console", "-X", "acks"], "-X: 'acks' is not key=value"),
    (["--source", "files", "--input", "/nonexistent/folder", "--console"], "--input /nonexistent/folder: not a folder"),
    (["--source", "files", "--console"], "--source files needs --input DIR"),
    (["--console", "--input", "."], "--input and --max-files-per-batch apply only to --source files"),
    (["--alerts", "/nonexistent/folder/alerts.jsonl"], "--alerts /nonexistent/folder/alerts.jsonl: folder"),
    ([], "nothing to write"),
])
def test_bad_options_get_one_line_and_exit_code_2(options, named):
    result = run_job(*options)
    assert result.returncode == 2
    assert named in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_unreachable_brokers_are_named_before_spark_starts():
    result = run_job("--brokers", f"127.0.0.1:{free_port()}", "--console")
    assert result.returncode == 2
    assert result.stderr.startswith("crash_monitor: error: --brokers 127.0.0.1:") and "no answer" in result.stderr
    assert result.stderr.count("\n") == 1


def test_kafka_properties_come_from_the_environment_then_x(tmp_path, monkeypatch):
    monkeypatch.setenv(crash_monitor.PROPERTIES_VARIABLE, "sasl.username=me\n\nsasl.password=from-env\n")
    args = crash_monitor.parse_args(["--source", "files", "--input", str(tmp_path), "--console",
                                     "-X", "sasl.password=from-flag"])
    assert dict(args.kafka_properties) == {"sasl.username": "me", "sasl.password": "from-flag"}
    options = crash_monitor.kafka_options(args)
    assert options["kafka.sasl.username"] == "me" and options["kafka.sasl.password"] == "from-flag"


def test_a_bad_line_of_the_properties_variable_is_named():
    result = subprocess.run([sys.executable, str(JOB), "--console"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, crash_monitor.PROPERTIES_VARIABLE: "acks"})
    assert result.returncode == 2
    assert f"${crash_monitor.PROPERTIES_VARIABLE}: 'acks' is not key=value" in result.stderr
    assert result.stderr.count("\n") == 1


def test_durations_read_what_windtunnel_writes():
    assert [crash_monitor.duration_ms(t) for t in ("500ms", "1s", "2.5s", "10m", "1h", "1m30s", "1s500ms", "0s")] == [
        500, 1000, 2500, 600_000, 3_600_000, 90_000, 1500, 0]
    for bad in ("10", "1x", "s", "1m 30s", "-1s", ""):
        with pytest.raises(crash_monitor.argparse.ArgumentTypeError):
            crash_monitor.duration_ms(bad)


def test_take_contiguous_stops_at_a_gap_and_skips_what_was_read():
    assert take_contiguous([5, 6, 7], 5, 10) == ([0, 1, 2], False)
    # A gap: 7 is missing, so 8 and later wait for the fetch from 7.
    assert take_contiguous([5, 6, 8, 9], 5, 10) == ([0, 1], True)
    # Records before the position (fetched before a move back) and from the end on are left out.
    assert take_contiguous([3, 4, 5, 6, 10, 11], 5, 10) == ([2, 3], False)
    # A fetch that starts beyond the position is a gap too; one beyond the end is not.
    assert take_contiguous([7, 8], 5, 10) == ([], True)
    assert take_contiguous([12], 5, 10) == ([], False)


def test_apportion_is_proportional_exact_and_bounded():
    pending = {0: 600, 1: 300, 2: 100, 3: 0}
    assert apportion(pending, 100) == {0: 60, 1: 30, 2: 10, 3: 0}
    assert apportion(pending, 2000) == pending  # everything fits
    split = apportion({0: 1, 1: 1, 2: 1}, 2)  # largest remainder, ties to the lower partition
    assert split == {0: 1, 1: 1, 2: 0}
    uneven = apportion({0: 7, 1: 5, 2: 3}, 10)
    assert sum(uneven.values()) == 10 and all(uneven[p] <= n for p, n in {0: 7, 1: 5, 2: 3}.items())


@pytest.mark.parametrize("source, expected", [
    ({"endOffset": {"1": 20, "0": 10}}, {"0": 10, "1": 20}),  # the pykafka source
    ({"endOffset": '{"logs": {"0": 10, "1": 20}}'}, {"0": 10, "1": 20}),  # Spark's connector, as a JSON string
    ({"endOffset": {"logOffset": 3}}, {}),  # the files source
    ({"endOffset": None}, {}),
    (None, {}),
])
def test_end_offsets_shapes(source, expected):
    assert crash_monitor.end_offsets(source) == expected


def progress(batch: int, watermark: str | None, rows: int = 1) -> dict:
    update = {"batchId": batch, "timestamp": "2026-01-21T12:53:20.000Z", "numInputRows": rows,
              "durationMs": {"triggerExecution": 1500}, "sources": [{"endOffset": {"0": 10 * (batch + 1)}}]}
    if watermark is not None:
        update["eventTime"] = {"watermark": watermark}
    return update


def test_batch_log_chains_watermarks_and_logs_each_batch_once(tmp_path):
    path = tmp_path / "batches.jsonl"
    log = crash_monitor.BatchLog(path, "spark-1")
    log.record([progress(0, None), progress(1, "2026-01-21T12:53:00.000Z")])
    log.record([progress(1, "2026-01-21T12:53:00.000Z"), progress(2, "2026-01-21T12:53:10.000Z", rows=0)])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    minute = 1_769_000_000_000 - 20_000  # 12:53:00 UTC
    assert [(e["batch"], e["late_watermark_ms"], e["eviction_watermark_ms"]) for e in lines] == [
        (0, 0, 0), (1, 0, minute), (2, minute, minute + 10_000)]
    assert lines[0] == {"batch": 0, "late_watermark_ms": 0, "eviction_watermark_ms": 0, "end_offsets": {"0": 10},
                        "started_at": 1_769_000_000_000, "ended_at": 1_769_000_001_500, "instance": "spark-1",
                        "partitions": [0]}


def outputs_args(tmp_path, *resumed_batches: int):
    """Options with both output files and a checkpoint whose offset log names `resumed_batches`."""
    checkpoint = tmp_path / "checkpoint"
    (checkpoint / "offsets").mkdir(parents=True)
    for batch in resumed_batches:
        (checkpoint / "offsets" / str(batch)).write_text("v1\n")
    return crash_monitor.parse_args(["--source", "files", "--input", str(tmp_path), "--checkpoint", str(checkpoint),
                                     "--alerts", str(tmp_path / "alerts.jsonl"),
                                     "--batch-log", str(tmp_path / "batches.jsonl")])


def logged(batch: int, eviction: int) -> str:
    return json.dumps({"batch": batch, "late_watermark_ms": 0, "eviction_watermark_ms": eviction}) + "\n"


def test_a_resumed_checkpoint_continues_the_outputs_from_the_last_logged_watermark(tmp_path):
    args = outputs_args(tmp_path, 0, 1)
    alert = '{"window_start": 0, "window_end": 10000, "user_id": "user_1", "crash_count": 3, "batch": 1}\n'
    args.alerts.write_text(alert + '{"window_start": 0, "win')  # a kill cut the last record short
    args.batch_log.write_text(logged(0, 0) + logged(1, 5_000) + '{"batch": 2, "late_wa')
    log = crash_monitor.open_outputs(args)
    # The unfinished lines go, so that the replayed batch's lines start lines of their own.
    assert args.alerts.read_text() == alert
    assert args.batch_log.read_text() == logged(0, 0) + logged(1, 5_000)
    log.record([progress(2, "1970-01-01T00:00:07.000Z")])
    last = json.loads(args.batch_log.read_text().splitlines()[-1])
    assert (last["batch"], last["late_watermark_ms"], last["eviction_watermark_ms"]) == (2, 5_000, 7_000)


@pytest.mark.parametrize("checkpoint_folder", [True, False], ids=["empty offset log", "no checkpoint folder"])
def test_a_fresh_checkpoint_starts_the_outputs_afresh(tmp_path, checkpoint_folder):
    args = outputs_args(tmp_path)
    if not checkpoint_folder:
        shutil.rmtree(args.checkpoint)
    args.alerts.write_text('{"batch": 4}\n')
    args.batch_log.write_text(logged(4, 9_000))
    log = crash_monitor.open_outputs(args)
    assert args.alerts.read_text() == args.batch_log.read_text() == ""
    assert log.last_watermark == 0


def test_a_batch_log_that_is_not_one_is_named_when_resuming(tmp_path):
    args = outputs_args(tmp_path, 0)
    args.batch_log.write_text("alerts, not batches\n")
    with pytest.raises(crash_monitor.UsageError, match=r"--batch-log .*batches.jsonl: its last line is not a batch-log line"):
        crash_monitor.open_outputs(args)
