"""The job's rule on a small hand-built folder of JSONL files (the `files` source), one file per micro-batch.

Every expectation below is worked out by hand from the events and the rule in DESIGN.md; the comments show
the arithmetic. T is a window start; W0 = [T, T+10 s).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import crash_monitor

T = 1_769_000_000_000  # 2026-01-21 12:53:20 UTC, a multiple of 10 s
S = 1000  # one second in ms


def event(ts: int, user: str, content: str = "crash", severity: str = "High", status: str = "OK") -> str:
    return json.dumps({"timestamp": ts, "status": status, "severity": severity, "source_ip": "10.1.2.3",
                       "user_id": user, "content": content})


# Batch 0. Late-row watermark 0; its largest *matching* event time is user_c's T+10.001 s.
FILE_0 = [
    # user_a: three case variants of the term in W0 -> 3 case-insensitively (alert), 1 case-sensitively.
    event(T + 1 * S, "user_a", "App CRASH in renderer"),
    event(T + 2 * S, "user_a", "Crash reported", "Critical"),
    event(T + 9_999, "user_a", "it crashed twice"),
    # user_b: exactly the threshold (2) -> no alert.
    event(T + 3 * S, "user_b"),
    event(T + 4 * S, "user_b", severity="Critical"),
    # user_c: two on each side of the W0/W1 boundary (T+10 s belongs to W1) -> 2 and 2, no alert.
    event(T + 9 * S, "user_c"),
    event(T + 9_999, "user_c"),
    event(T + 10 * S, "user_c"),
    event(T + 10_001, "user_c"),
    # user_d: High and Critical count, Medium only with --severities ...,Medium; Low and "high" never.
    event(T + 1 * S, "user_d"),
    event(T + 2 * S, "user_d", severity="Critical"),
    event(T + 3 * S, "user_d", severity="Medium"),
    event(T + 4 * S, "user_d", severity="Low"),
    event(T + 5 * S, "user_d", severity="high"),
    # user_e: four lowercase matches -> 4, above threshold 2 and 3.
    *[event(T + (5 + i) * S, "user_e", "kernel crash") for i in range(4)],
    # user_m: two good matches plus malformed records that carry the term: none of those may count.
    event(T + 1 * S, "user_m"),
    event(T + 2 * S, "user_m"),
    json.dumps({"timestamp": str(T + 3 * S), "severity": "High", "user_id": "user_m", "content": "crash"}),
    json.dumps({"timestamp": T + 3.5 * S, "severity": "High", "user_id": "user_m", "content": "crash"}),
    json.dumps({"timestamp": T + 4 * S, "severity": "High", "content": "crash"}),  # no user
    '{"timestamp": %d, "severity": "High", "user_id": "user_m", "content": "crash' % (T + 5 * S),
    "crash crash crash user_m",
    '["crash", "user_m"]',
    "",
    # user_x: the term outside content, with an event time far ahead. The watermark is computed over
    # matching events only, so these must not move it (else user_g's batch-2 event would be dropped).
    *[event(T + 50 * S, "user_x", "all fine", status="crash") for _ in range(3)],
]
# Batch 1. Late-row watermark 0 (batch 0's). Eviction watermark W1 = T+10.001 s - 30 s = T - 19.999 s.
FILE_1 = [
    *[event(T + (100 + i) * S, "user_f") for i in range(3)],  # 3 in [T+100 s, T+110 s): alert
    event(T + 5 * S, "user_g"),  # 90 s behind the newest event, but nothing is late yet
    event(T + 6 * S, "user_g"),
]
# Batch 2. Late-row watermark W1 = T - 19.999 s. Eviction W2 = T+102 s - 30 s = T+72 s.
FILE_2 = [
    event(T + 7 * S, "user_g"),  # W0 ends at T+10 s > W1: counted, user_g reaches 3 in W0 (alert)
]
# Batch 3. Late-row watermark W2 = T+72 s: a row is dropped when its window ends at or before it.
FILE_3 = [
    event(T + 8 * S, "user_g"),  # W0 ends at T+10 s: dropped, user_g stays at 3
    *[event(T + (1 + i) * S, "user_h") for i in range(3)],  # W0: dropped, no alert
    *[event(T + (65 + i) * S, "user_j") for i in range(3)],  # [T+60 s, T+70 s) ends before T+72 s: dropped
    *[event(T + (75 + i) * S, "user_i") for i in range(3)],  # [T+70 s, T+80 s) ends after: counted, alert
]
# Batch 4: the tail. Eviction W5 = T+200 s - 30 s = T+170 s closes every window above; Spark then runs a
# batch without data (batch 5) to evict them and, in append mode, emit them.
FILE_4 = [event(T + 200 * S, "user_z")]

FILES = [FILE_0, FILE_1, FILE_2, FILE_3, FILE_4]


def window(start_s: int) -> tuple[int, int]:
    return T + start_s * S, T + (start_s + 10) * S


# What one run over FILES in update mode emits and logs, from the comments above: (batch, window, user, count),
# and each batch's eviction and late-row watermarks.
W1, W2, W5 = T - 19_999, T + 72 * S, T + 170 * S
UPDATE_ALERTS = {
    (0, *window(0), "user_a", 3),
    (0, *window(0), "user_e", 4),
    (1, *window(100), "user_f", 3),
    (2, *window(0), "user_g", 3),
    (3, *window(70), "user_i", 3),
}
EVICTION_WATERMARKS = [0, W1, W2, W2, W2, W5]
LATE_WATERMARKS = [0, 0, W1, W2, W2, W2]


@pytest.fixture(scope="module")
def spark():
    args = crash_monitor.parse_args(["--source", "files", "--input", ".", "--console"])
    session = crash_monitor.build_session(args)
    yield session
    session.stop()


def write_files(folder: Path, files: list[list[str]], first: int = 0) -> Path:
    """One JSONL file per batch, numbered from `first`, modification times in order (the files source takes the
    oldest first)."""
    folder.mkdir(exist_ok=True)
    for index, lines in enumerate(files, start=first):
        path = folder / f"part-{index}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        os.utime(path, (1_700_000_000 + index * 10, 1_700_000_000 + index * 10))
    return folder


def run_job(spark, tmp_path: Path, files: list[list[str]], *options: str, first: int = 0) -> tuple[list[dict], list[dict]]:
    """Runs the job over the files (added to the input folder as files `first`, ...) until idle; returns its alert
    records and batch-log lines."""
    folder = write_files(tmp_path / "input", files, first)
    alerts, batches = tmp_path / "alerts.jsonl", tmp_path / "batches.jsonl"
    args = crash_monitor.parse_args([
        "--source", "files", "--input", str(folder), "--max-files-per-batch", "1",
        "--alerts", str(alerts), "--batch-log", str(batches), "--checkpoint", str(tmp_path / "checkpoint"),
        "--trigger", "1s", "--until-idle", "2s", *options,
    ])
    crash_monitor.run(args, spark)
    read = lambda path: [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return read(alerts), read(batches)


def emitted(alerts: list[dict]) -> set[tuple]:
    return {(a["batch"], a["window_start"], a["window_end"], a["user_id"], a["crash_count"]) for a in alerts}


def test_update_mode_counts_drops_late_rows_and_logs_every_batch(spark, tmp_path):
    alerts, batches = run_job(spark, tmp_path, FILES)

    assert emitted(alerts) == UPDATE_ALERTS
    assert all(a["emitted_at"] >= b["started_at"] for a in alerts for b in batches if b["batch"] == a["batch"])

    assert [b["batch"] for b in batches] == [0, 1, 2, 3, 4, 5]
    assert [b["eviction_watermark_ms"] for b in batches] == EVICTION_WATERMARKS
    assert [b["late_watermark_ms"] for b in batches] == LATE_WATERMARKS
    assert all(b["end_offsets"] == {} and b["instance"] == "spark" for b in batches)
    assert all(b["started_at"] <= b["ended_at"] for b in batches)


def test_a_restart_from_the_checkpoint_logs_and_emits_what_one_run_does(spark, tmp_path):
    """The second run's first batch drops late rows against the first run's last eviction watermark, which
    Spark keeps in its checkpoint; the batch log says so rather than starting again from 0."""
    _, first_run = run_job(spark, tmp_path, FILES[:3])
    alerts, batches = run_job(spark, tmp_path, FILES[3:], first=3)
    second_run = batches[len(first_run):]

    assert batches[:len(first_run)] == first_run
    assert second_run[0]["batch"] == first_run[-1]["batch"] + 1
    assert second_run[0]["late_watermark_ms"] == first_run[-1]["eviction_watermark_ms"] == W2
    assert [b["batch"] for b in batches] == [0, 1, 2, 3, 4, 5]
    assert [b["eviction_watermark_ms"] for b in batches] == EVICTION_WATERMARKS
    assert [b["late_watermark_ms"] for b in batches] == LATE_WATERMARKS
    # As in one run, each alert once: batch 3 dropped user_g's, user_h's and user_j's rows against W2.
    assert len(alerts) == len(emitted(alerts))
    assert emitted(alerts) == UPDATE_ALERTS


def test_append_mode_emits_each_closed_window_once(spark, tmp_path):
    alerts, _ = run_job(spark, tmp_path, FILES, "--mode", "append")

    # W0 closes in batch 2 (watermark T+72 s), after user_g's third event was counted in the same batch;
    # [T+70 s, T+80 s) and [T+100 s, T+110 s) close in batch 5 (watermark T+170 s).
    assert emitted(alerts) == {
        (2, *window(0), "user_a", 3),
        (2, *window(0), "user_e", 4),
        (2, *window(0), "user_g", 3),
        (5, *window(70), "user_i", 3),
        (5, *window(100), "user_f", 3),
    }


def test_case_sensitive_match_and_extra_severity(spark, tmp_path):
    alerts, _ = run_job(spark, tmp_path, [FILE_0], "--case-sensitive", "--severities", "High,Critical,Medium")

    # user_a: only "crashed" is lowercase -> 1. user_d: High + Critical + Medium -> 3.
    assert emitted(alerts) == {(0, *window(0), "user_d", 3), (0, *window(0), "user_e", 4)}


def test_threshold_and_term_in_any_case(spark, tmp_path):
    alerts, _ = run_job(spark, tmp_path, [FILE_0], "--threshold", "3", "--term", "CRASH")

    # Only counts above 3: user_e's 4; user_a's 3 is not enough.
    assert emitted(alerts) == {(0, *window(0), "user_e", 4)}
