"""The validator catches a broken Spark job and names its bug.

The broken job is the real one with its severity filter removed, made for this test in a temporary folder
(the patch must apply exactly once, so the test breaks loudly if the job's rule is rewritten). It runs on a
stream where counting every severity changes the outcome of some windows; `windtunnel validate` must fail
it, with "Severity filter missing" as the first diagnosis, on its JSONL records and on its console tables alike.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import JOB, JOB_DIR, event, produce, run_until_drained, validate

T = 1_769_000_000_000  # a multiple of the window
TOPIC = "logs-broken"
SEVERITY_FILTER = '        & F.col("severity").isin(*rule.severities)\n'


def broken_job(folder: Path) -> Path:
    """A copy of the job (and its Kafka source) whose rule no longer filters on severity."""
    folder.mkdir()
    shutil.copy(JOB_DIR / "pykafka_source.py", folder)
    text = JOB.read_text()
    assert text.count(SEVERITY_FILTER) == 1, "the job's severity filter is no longer written as this test expects"
    job = folder / JOB.name
    job.write_text(text.replace(SEVERITY_FILTER, ""))
    return job


def build_stream() -> list[str]:
    """60 s of events at 20/s without the term, and in each 10 s window four planted users:

    - 3 Critical crashes: an alert for both jobs (count 3);
    - 2 High and 2 Low: 2, no alert; the broken job counts 4 (a spurious alert);
    - 1 High and 3 Medium: 1; the broken job counts 4 (a spurious alert);
    - 3 High and 1 Low: 3; the broken job counts 4 (a count mismatch).

    A tail of one matching event a second for 50 s closes every window.
    """
    severities = ("Low", "Medium", "High", "Critical")
    timed = [(T + i * 50, event(T + i * 50, f"user_{1000 + i % 30}", "request served", severities[i % 4]))
             for i in range(1200)]
    planted = [("Critical",) * 3, ("High", "High", "Low", "Low"), ("High", "Medium", "Medium", "Medium"),
               ("High", "High", "High", "Low")]
    for k in range(6):
        for u, plan in enumerate(planted):
            user = f"user_{1900 + 10 * k + u}"
            timed += [(T + k * 10_000 + 1000 + j * 2000, event(T + k * 10_000 + 1000 + j * 2000, user, "app crash", s))
                      for j, s in enumerate(plan)]
    timed += [(T + 60_000 + j * 1000, event(T + 60_000 + j * 1000, f"user_{2000 + j}", "crash", "High")) for j in range(50)]
    return [value for _, value in sorted(timed, key=lambda item: item[0])]


@dataclass
class BrokenRun:
    folder: Path
    stdout: str


@pytest.fixture(scope="module")
def broken_run(broker, windtunnel, tmp_path_factory) -> BrokenRun:
    values = build_stream()
    produce(broker, TOPIC, 4, values)
    out = tmp_path_factory.mktemp("broken")
    job = broken_job(out / "job")
    stdout = run_until_drained(job, [
        "--source", "pykafka", "--brokers", broker, "--topic", TOPIC, "--max-records-per-batch", "700",
        "--alerts", str(out / "alerts.jsonl"), "--batch-log", str(out / "batches.jsonl"), "--console",
        "--console-rows", "1000", "--checkpoint", str(out / "checkpoint"), "--trigger", "1s",
    ], out, len(values))
    return BrokenRun(out, stdout)


def test_the_broken_copy_differs_from_the_job_only_by_its_severity_filter(tmp_path):
    job = broken_job(tmp_path / "job")
    assert len(JOB.read_text()) - len(job.read_text()) == len(SEVERITY_FILTER)
    assert "isin(*rule.severities)" not in job.read_text()


@pytest.fixture(scope="module")
def verdicts(broken_run, broker, windtunnel, tmp_path_factory) -> dict[str, tuple[int, dict]]:
    """`windtunnel validate` on the broken job's JSONL records and on its console tables, each exact."""
    report = tmp_path_factory.mktemp("reports")
    alerts = {"records": f"jsonl:{broken_run.folder / 'alerts.jsonl'}",
              "console": f"spark-console:{broken_run.folder / 'stdout'}"}
    return {name: validate(windtunnel, broker, TOPIC, source, broken_run.folder / "batches.jsonl", report / name)
            for name, source in alerts.items()}


def test_validate_fails_the_broken_job_and_names_the_missing_severity_filter(verdicts):
    code, result = verdicts["records"]
    assert (code, result["verdict"]) == (1, "fail")
    first = result["diagnosis"][0]
    assert first["bug"] == "severity-filter-missing"
    assert first["sentence"].startswith("Severity filter missing")
    # 12 spurious alerts and 6 count mismatches, all explained by counting every severity.
    assert result["alerts"]["outcomes"]["spurious"] == 12
    assert first["explained"] >= 18 and first["contradicted"] == 0


def test_console_output_gets_the_same_verdict_as_the_records(broken_run, verdicts):
    assert "Batch: 0" in broken_run.stdout
    (records_code, records), (console_code, console) = verdicts["records"], verdicts["console"]
    assert console_code == records_code == 1
    assert console["verdict"] == records["verdict"] == "fail"
    assert console["alerts"]["outcomes"] == records["alerts"]["outcomes"]
    assert [d["bug"] for d in console["diagnosis"]] == [d["bug"] for d in records["diagnosis"]]
