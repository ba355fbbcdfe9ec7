"""End to end: events produced to a Tansu broker, the job run with the `pykafka` source, stopped by SIGTERM.

The expected alerts are recomputed here from what was produced, replayed through the batch boundaries the
job logged (DESIGN.md, exact mode): per batch, rows whose window ends at or before the previous batch's
watermark are dropped, and the watermark moves to the largest matching event time seen minus the delay.
The console tables of the same run must say the same as the JSONL records.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import JOB, event, produce, read_jsonl, run_until_drained, validate

T = 1_769_000_000_000  # a multiple of the window
WINDOW, DELAY, THRESHOLD = 10_000, 30_000, 2
PARTITIONS = 4
BATCH_ROWS = 1000
TOPIC = "logs"


@dataclass
class Stream:
    values: list[str]  # in production order
    hot: dict[tuple[int, str], int]  # (window start, user) -> matching events planted in it
    late_user: str


def build_stream(seed: int = 7) -> Stream:
    """90 s of events at 50/s, hot users above the threshold, late events, malformed records, and a tail.

    - background: 100 users, 3 % of events carry the term (of those, half have a matching severity);
    - hot: in each of the 9 windows one user gets 3 to 6 matching events, and one user gets exactly 2;
    - late: 6 matching events for one user in the first window, produced after 84 s of the stream: by then
      the watermark is far past that window, so Spark drops them all;
    - malformed: values that are not events, one carrying the term;
    - tail: 50 s of one matching event per second from distinct users, so every window above closes.
    """
    rng = random.Random(seed)
    timed: list[tuple[int, str]] = []
    for i in range(4500):
        ts = T + i * 20
        crash = rng.random() < 0.03
        severity = rng.choice(["Low", "Medium", "High", "Critical"])
        timed.append((ts, event(ts, f"user_{1000 + rng.randrange(100)}", "renderer crash" if crash else "served", severity)))
    hot = {}
    for k in range(9):
        user, n = f"user_{1900 + k}", 3 + k % 4
        hot[(T + k * WINDOW, user)] = n
        timed += [(T + k * WINDOW + 1000 + j * 1500, event(T + k * WINDOW + 1000 + j * 1500, user, "app CRASH", "Critical"))
                  for j in range(n)]
    timed += [(T + 3 * WINDOW + 500 * j, event(T + 3 * WINDOW + 500 * j, "user_1950", "crash", "High")) for j in range(2)]
    values = [value for _, value in sorted(timed, key=lambda item: item[0])]
    late_user = "user_1960"
    values[4200:4200] = [event(T + j * 1000, late_user, "crash", "High") for j in range(1, 7)]
    for position, bad in zip((500, 1500, 2500, 3500), ("not json", '{"timestamp": 1, "content": "crash', "[]",
                                                       json.dumps({"timestamp": "soon", "content": "crash"}))):
        values.insert(position, bad)
    values += [event(T + 90_000 + j * 1000, f"user_{2000 + j}", "crash", "High") for j in range(50)]
    return Stream(values, hot, late_user)


def matching_time(value: str) -> int | None:
    """The event time of a matching event (DESIGN.md, "What counts as an event"), else None."""
    try:
        e = json.loads(value)
    except ValueError:
        return None
    if not (isinstance(e, dict) and type(e.get("timestamp")) is int
            and all(isinstance(e.get(k), str) for k in ("severity", "user_id", "content"))):
        return None
    if "crash" in e["content"].lower() and e["severity"] in ("High", "Critical"):
        return e["timestamp"]
    return None


@dataclass
class Replay:
    emissions: set[tuple]  # (batch, window_start, window_end, user, count) in update mode
    eviction: list[int]
    late: list[int]
    dropped: Counter  # user -> matching rows dropped as late
    final: dict[tuple[int, str], int]


def replay(records: dict[tuple[int, int], str], batches: list[dict]) -> Replay:
    counts: dict[tuple[int, str], int] = defaultdict(int)
    emissions, eviction, late, dropped = set(), [], [], Counter()
    position = defaultdict(int)
    watermark, max_time = 0, None
    for entry in batches:
        if max_time is not None:  # batch n's watermark comes from the rows of batches before it
            watermark = max(watermark, max_time - DELAY)
        late_watermark = eviction[-1] if eviction else 0
        eviction.append(watermark)
        late.append(late_watermark)
        updated = set()
        for partition, end in entry["end_offsets"].items():
            p = int(partition)
            for offset in range(position[p], end):
                value = records[(p, offset)]
                ts = matching_time(value)
                if ts is None:
                    continue
                max_time = ts if max_time is None else max(max_time, ts)
                user = json.loads(value)["user_id"]
                start = ts - ts % WINDOW
                if start + WINDOW <= late_watermark:
                    dropped[user] += 1
                    continue
                counts[(start, user)] += 1
                updated.add((start, user))
            position[p] = end
        emissions |= {(entry["batch"], s, s + WINDOW, u, counts[(s, u)]) for s, u in updated if counts[(s, u)] > THRESHOLD}
    return Replay(emissions, eviction, late, dropped, dict(counts))


@dataclass
class Run:
    stream: Stream
    records: dict[tuple[int, int], str]
    alerts: list[dict]
    batches: list[dict]
    stdout: str
    folder: Path


@pytest.fixture(scope="module")
def run(broker, tmp_path_factory) -> Run:
    """The job, run until it has read everything and then stopped with SIGTERM, as the harness stops it."""
    stream = build_stream()
    records = produce(broker, TOPIC, PARTITIONS, stream.values)
    out = tmp_path_factory.mktemp("e2e")
    stdout = run_until_drained(JOB, [
        "--source", "pykafka", "--brokers", broker, "--topic", TOPIC,
        "--max-records-per-batch", str(BATCH_ROWS), "--alerts", str(out / "alerts.jsonl"),
        "--batch-log", str(out / "batches.jsonl"), "--console", "--console-rows", "1000",
        "--checkpoint", str(out / "checkpoint"), "--trigger", "1s", "--instance", "spark-e2e",
    ], out, len(records))
    return Run(stream, records, read_jsonl(out / "alerts.jsonl"), read_jsonl(out / "batches.jsonl"), stdout, out)


def test_everything_produced_was_delivered(run):
    assert len(run.records) == len(run.stream.values)


def test_batch_log_has_one_line_per_batch_with_monotone_watermarks(run):
    batches = run.batches
    assert [b["batch"] for b in batches] == list(range(len(batches)))
    assert len(batches) >= len(run.records) // BATCH_ROWS
    for earlier, later in zip(batches, batches[1:]):
        assert later["eviction_watermark_ms"] >= earlier["eviction_watermark_ms"]
        assert later["late_watermark_ms"] == earlier["eviction_watermark_ms"]
        assert all(later["end_offsets"][p] >= earlier["end_offsets"].get(p, 0) for p in later["end_offsets"])
    for b in batches:
        assert b["instance"] == "spark-e2e" and b["started_at"] <= b["ended_at"]
    # The row limit holds: no batch reads more than BATCH_ROWS.
    rows = [sum(b["end_offsets"].values()) for b in batches]
    assert all(later - earlier <= BATCH_ROWS for earlier, later in zip([0] + rows, rows))


def test_end_offsets_reach_everything_produced(run):
    produced = Counter(partition for partition, _ in run.records)
    final = run.batches[-1]["end_offsets"]
    assert final == {str(p): produced[p] for p in range(PARTITIONS)}
    assert sum(final.values()) == len(run.stream.values)
    assert run.batches[-1]["partitions"] == list(range(PARTITIONS))


def test_logged_watermarks_follow_sparks_rule(run):
    expected = replay(run.records, run.batches)
    assert [b["eviction_watermark_ms"] for b in run.batches] == expected.eviction
    assert [b["late_watermark_ms"] for b in run.batches] == expected.late
    # The tail closed every window of the measured stream.
    assert expected.eviction[-1] >= T + 90_000


def test_alerts_match_the_replay_batch_by_batch(run):
    expected = replay(run.records, run.batches)
    got = {(a["batch"], a["window_start"], a["window_end"], a["user_id"], a["crash_count"]) for a in run.alerts}
    assert got == expected.emissions
    assert len(run.alerts) == len(got), "a batch emitted the same alert twice"


def test_hot_users_alert_with_their_planted_counts_and_late_rows_are_dropped(run):
    expected = replay(run.records, run.batches)
    final = {}
    for a in sorted(run.alerts, key=lambda a: a["batch"]):
        final[(a["window_start"], a["user_id"])] = a["crash_count"]
    for key, planted in run.stream.hot.items():
        assert final.get(key) == planted, f"window {key[0]} user {key[1]}"
    # Only the six late events were dropped: with the row limit spread over the partitions the watermark
    # never runs ahead of a partition's data.
    assert expected.dropped == Counter({run.stream.late_user: 6})
    assert not any(user == run.stream.late_user for _, user in final)
    assert not any(user == "user_1950" for _, user in final)  # exactly the threshold


CONSOLE_ROW = re.compile(r"^\|\{(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d), (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\}\|(\S+)\s*\|(\d+)\s*\|$")


def parse_console(text: str) -> dict[int, set[tuple]]:
    """Spark's console tables: `Batch: N` headers, then `|{start, end}|user|count|` rows (UTC times)."""
    tables: dict[int, set[tuple]] = {}
    batch = None
    to_ms = lambda s: int(datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp() * 1000)
    for line in text.splitlines():
        if header := re.fullmatch(r"Batch: (\d+)", line):
            batch = int(header.group(1))
            tables[batch] = set()
        elif row := CONSOLE_ROW.match(line):
            assert batch is not None, f"a table row before any batch header: {line}"
            start, end, user, count = row.groups()
            tables[batch].add((to_ms(start), to_ms(end), user, int(count)))
    return tables


def test_console_tables_parse_and_agree_with_the_records(run):
    assert re.search(r"^\|Interval\s*\|user_id\s*\|crash_count\|$", run.stdout, re.MULTILINE)
    tables = parse_console(run.stdout)
    assert sorted(tables) == [b["batch"] for b in run.batches]
    records: dict[int, set[tuple]] = defaultdict(set)
    for a in run.alerts:
        records[a["batch"]].add((a["window_start"], a["window_end"], a["user_id"], a["crash_count"]))
    assert {b: rows for b, rows in tables.items() if rows} == dict(records)


def test_validator_passes_the_job_on_its_records_and_on_its_console_output(run, broker, windtunnel, tmp_path):
    """`windtunnel validate` replays the topic through the batch log: the job passes, judged on its JSONL
    records and on its console tables alike."""
    by_records = validate(windtunnel, broker, TOPIC, f"jsonl:{run.folder / 'alerts.jsonl'}",
                          run.folder / "batches.jsonl", tmp_path / "records")
    by_console = validate(windtunnel, broker, TOPIC, f"spark-console:{run.folder / 'stdout'}",
                          run.folder / "batches.jsonl", tmp_path / "console")
    for code, result in (by_records, by_console):
        assert (code, result["verdict"]) == (0, "pass"), result["failures"]
        assert result["alerts"]["outcomes"]["matched"] >= len(run.stream.hot)
    assert by_console[1]["alerts"]["outcomes"] == by_records[1]["alerts"]["outcomes"]
