"""The course's Spark Structured Streaming crash detector, runnable here and on a cluster.

Rule: an event matches when its `content` contains the crash term (case-insensitive unless
`--case-sensitive`) and its `severity` is one of `--severities`. Matching events are counted per `user_id` in
tumbling event-time windows on the millisecond `timestamp`, with a watermark; a (window, user) whose count is
above `--threshold` is an alert. The rule is written once, in `crash_alerts`, over a DataFrame of raw JSON
values; only the source differs:

- `kafka`: Spark's own Kafka connector (`spark-submit --packages org.apache.spark:spark-sql-kafka-0-10_2.13:<v>`);
- `pykafka`: the Python Data Source in `pykafka_source.py` (confluent-kafka), for machines without Maven;
- `files`: a folder of JSONL files.

Outputs: alert records as JSONL (`--alerts`), Spark's console table (`--console`), and a batch log
(`--batch-log`, one JSON line per micro-batch from its StreamingQueryProgress). `python crash_monitor.py --help`
lists every option. Bad options end the job with a one-line error and exit code 2; a failed query with exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import tempfile
import shutil
import time
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEVERITIES = ("Low", "Medium", "High", "Critical")
PROGRAM = "crash_monitor"


class UsageError(Exception):
    """A problem with the job's input that the user can fix; reported in one line with exit code 2."""


# -- options ----------------------------------------------------------------------------------------------------

_DURATION_PART = r"(\d+(?:\.\d+)?)(ms|s|m|h)"
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def duration_ms(text: str) -> int:
    """`500ms`, `1s`, `2.5s`, `10m`, `1h`, or parts in a row as windtunnel writes them (`1m30s`), in whole ms."""
    if not re.fullmatch(f"(?:{_DURATION_PART})+", text.strip()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration; use a number and a unit, e.g. 500ms, 1s, 2m")
    return round(sum(float(number) * _UNIT_MS[unit] for number, unit in re.findall(_DURATION_PART, text)))


def positive_duration_ms(text: str) -> int:
    value = duration_ms(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be longer than zero")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must not be negative")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def severity_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in SEVERITIES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"'{text}' must be a comma-separated list of {', '.join(SEVERITIES)} (unknown: {', '.join(unknown)})"
            if unknown else f"'{text}' names no severity"
        )
    return names


def time_zone(text: str) -> str:
    """A region name (`UTC`, `Europe/Paris`) or a fixed offset (`+01:00`), as Spark accepts them."""
    if re.fullmatch(r"[+-]\d{2}:\d{2}", text):
        return text
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a time zone (e.g. UTC, Europe/Paris, +01:00)") from None
    return text


def kafka_property(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not key=value")
    return name.strip(), value


PROPERTIES_VARIABLE = "WINDTUNNEL_KAFKA_PROPERTIES"


def environment_properties(environment) -> list[tuple[str, str]]:
    """Kafka client properties from $WINDTUNNEL_KAFKA_PROPERTIES, one KEY=VALUE per line, as every windtunnel
    command reads them (`windtunnel run` passes its -X properties this way, off the command line); -X given
    on the command line comes after them and wins for the same key."""
    properties = []
    for line in environment.get(PROPERTIES_VARIABLE, "").split("\n"):
        if not line.strip():
            continue
        try:
            properties.append(kafka_property(line))
        except argparse.ArgumentTypeError as error:
            raise UsageError(f"${PROPERTIES_VARIABLE}: {error}") from None
    return properties


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the option (argparse's own prints the usage first)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = OneLineParser(prog=PROGRAM, description=__doc__.split("\n\n")[0])
    source = parser.add_argument_group("source")
    source.add_argument("--source", choices=("kafka", "pykafka", "files"), default="pykafka",
                        help="kafka: Spark's connector (needs its package); pykafka: the Python Data Source over "
                             "confluent-kafka; files: a folder of JSONL files (default: pykafka)")
    source.add_argument("--brokers", default="127.0.0.1:9092", help="Kafka bootstrap servers (default: 127.0.0.1:9092)")
    source.add_argument("--topic", default="logs", help="topic to read from its earliest offsets (default: logs)")
    source.add_argument("-X", dest="kafka_properties", metavar="KEY=VALUE", type=kafka_property, action="append",
                        default=[], help="a Kafka client property, e.g. -X security.protocol=SASL_SSL (repeatable)")
    source.add_argument("--max-records-per-batch", type=positive_int, metavar="N",
                        help="at most N records per micro-batch, spread over the partitions (kafka, pykafka)")
    source.add_argument("--input", type=Path, metavar="DIR", help="folder of JSONL files (files source)")
    source.add_argument("--max-files-per-batch", type=positive_int, metavar="N",
                        help="at most N files per micro-batch, oldest first (files source)")

    rule = parser.add_argument_group("rule")
    rule.add_argument("--term", default="crash", help="the crash term searched in content (default: crash)")
    rule.add_argument("--case-sensitive", action="store_true", help="match the term case-sensitively")
    rule.add_argument("--severities", type=severity_list, default=("High", "Critical"),
                      help="comma-separated severities that can match (default: High,Critical)")
    rule.add_argument("--window", type=positive_duration_ms, default=10_000, help="tumbling window (default: 10s)")
    rule.add_argument("--watermark", type=duration_ms, default=30_000, help="watermark delay (default: 30s)")
    rule.add_argument("--threshold", type=non_negative_int, default=2,
                      help="alert when a window's count is greater than this (default: 2)")

    run = parser.add_argument_group("run")
    run.add_argument("--mode", choices=("update", "append"), default="update", help="output mode (default: update)")
    run.add_argument("--trigger", type=duration_ms, default=1000, help="micro-batch interval (default: 1s)")
    run.add_argument("--until-idle", type=positive_duration_ms, metavar="DURATION",
                     help="stop after no new input rows for this long (default: run until interrupted)")
    run.add_argument("--checkpoint", type=Path, metavar="DIR",
                     help="checkpoint folder; a restarted job resumes from it (default: a temporary folder)")
    run.add_argument("--master", help="Spark master (default: spark-submit's --master, else local[2])")
    run.add_argument("--shuffle-partitions", type=positive_int, default=4,
                     help="spark.sql.shuffle.partitions, fixed by the first run of a checkpoint (default: 4)")
    run.add_argument("--timezone", type=time_zone, default="UTC",
                     help="spark.sql.session.timeZone, used by the console table (default: UTC)")

    output = parser.add_argument_group("output")
    output.add_argument("--alerts", type=Path, metavar="PATH", help="append alert records to this JSONL file")
    output.add_argument("--console", action="store_true", help="print each batch's alerts as Spark's console sink does")
    output.add_argument("--console-rows", type=positive_int, default=20,
                        help="rows shown per console table, as the console sink's numRows (default: 20)")
    output.add_argument("--batch-log", type=Path, metavar="PATH", help="append one JSON line per micro-batch")
    output.add_argument("--instance", default="spark", help="instance name in the batch log (default: spark)")

    args = parser.parse_args(argv)
    try:
        args.kafka_properties = environment_properties(os.environ) + args.kafka_properties
        check_args(args)
    except UsageError as error:
        parser.error(str(error))
    return args


def check_args(args: argparse.Namespace) -> None:
    """Cross-option checks, each with a sentence the user can act on."""
    if args.alerts is None and not args.console:
        raise UsageError("nothing to write: give --alerts PATH, --console, or both")
    if args.source == "files":
        if args.input is None:
            raise UsageError("--source files needs --input DIR")
        if not args.input.is_dir():
            raise UsageError(f"--input {args.input}: not a folder")
    elif args.input is not None or args.max_files_per_batch is not None:
        raise UsageError("--input and --max-files-per-batch apply only to --source files")
    if not args.term:
        raise UsageError("--term must not be empty")
    for option, path in (("--alerts", args.alerts), ("--batch-log", args.batch_log)):
        if path is not None and not path.parent.is_dir():
            raise UsageError(f"{option} {path}: folder {path.parent} does not exist")


@dataclass(frozen=True)
class Rule:
    """The detector rule (DESIGN.md, "The domain")."""

    term: str = "crash"
    case_sensitive: bool = False
    severities: tuple[str, ...] = ("High", "Critical")
    window_ms: int = 10_000
    watermark_ms: int = 30_000
    threshold: int = 2

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Rule":
        return cls(args.term, args.case_sensitive, tuple(args.severities), args.window, args.watermark, args.threshold)


# -- the transformation -----------------------------------------------------------------------------------------

def crash_alerts(raw, rule: Rule):
    """(window, user) counts above the threshold, from a streaming DataFrame with a string column `value`.

    Returns columns `Interval` (struct of `start`, `end` timestamps, as the course prints it), `user_id` and
    `crash_count`. A value that is not a JSON object with a whole-number `timestamp` gets nulls from
    `from_json` and never matches.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([
        StructField("timestamp", LongType()),
        StructField("severity", StringType()),
        StructField("user_id", StringType()),
        StructField("content", StringType()),
    ])
    events = raw.select(F.from_json(F.col("value"), schema).alias("event")).select("event.*")
    content, term = F.col("content"), F.lit(rule.term)
    if not rule.case_sensitive:
        content, term = F.lower(content), F.lower(term)
    # The filter names no event-time column, so Spark would push it below the watermark anyway: the watermark
    # is computed over matching events only. Writing it first just says so.
    matching = events.where(
        content.contains(term)
        & F.col("severity").isin(*rule.severities)
        & F.col("timestamp").isNotNull()
        & F.col("user_id").isNotNull()
    ).withColumn("event_time", F.timestamp_millis(F.col("timestamp")))
    return (
        matching.withWatermark("event_time", f"{rule.watermark_ms} milliseconds")
        .groupBy(F.window("event_time", f"{rule.window_ms} milliseconds").alias("Interval"), "user_id")
        .count()
        .where(F.col("count") > rule.threshold)
        .select("Interval", "user_id", F.col("count").alias("crash_count"))
    )


# -- sources ----------------------------------------------------------------------------------------------------

def kafka_options(args: argparse.Namespace) -> dict[str, str]:
    """Options in the shape of Spark's Kafka connector, which the pykafka source takes too."""
    options = {"kafka.bootstrap.servers": args.brokers, "subscribe": args.topic, "startingOffsets": "earliest",
               "failOnDataLoss": "false"}
    if args.max_records_per_batch:
        options["maxOffsetsPerTrigger"] = str(args.max_records_per_batch)
    for name, value in args.kafka_properties:
        options[f"kafka.{name}"] = value
    return options


def raw_values(spark, args: argparse.Namespace):
    """The source as a streaming DataFrame with one string column `value`, the raw JSON."""
    if args.source == "files":
        reader = spark.readStream
        if args.max_files_per_batch:
            reader = reader.option("maxFilesPerTrigger", args.max_files_per_batch)
        return reader.text(str(args.input)).select("value")
    if args.source == "pykafka":
        from pykafka_source import KafkaPythonSource

        spark.dataSource.register(KafkaPythonSource)
        reader = spark.readStream.format("pykafka")
    else:
        reader = spark.readStream.format("kafka")
    return reader.options(**kafka_options(args)).load().selectExpr("CAST(value AS STRING) AS value")


def check_brokers(args: argparse.Namespace) -> None:
    """Fails fast, in one line, when the pykafka source's brokers do not answer."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    # librdkafka would also log each failed connection attempt to stderr; the one line below says it all.
    config = {"bootstrap.servers": args.brokers, "log_level": 0, **dict(args.kafka_properties)}
    try:
        AdminClient(config).list_topics(timeout=10)
    except KafkaException as error:
        raise UsageError(f"--brokers {args.brokers}: no answer ({error.args[0].str()})") from None


# -- sinks ------------------------------------------------------------------------------------------------------

def epoch_ms(iso_time: str | None) -> int:
    """Spark's progress times (`2026-01-20T13:53:10.000Z`) as epoch milliseconds; absent is 0."""
    if not iso_time:
        return 0
    return round(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp() * 1000)


class AlertSink:
    """The `foreachBatch` function: appends each batch's alerts as JSONL records and/or prints a console table."""

    def __init__(self, alerts: Path | None, console: bool, console_rows: int) -> None:
        self.alerts = alerts
        self.console = console
        self.console_rows = console_rows

    def __call__(self, batch, batch_id: int) -> None:
        from pyspark.sql import functions as F

        if self.console:
            batch = batch.persist()  # the table and the records would otherwise each recompute the batch
        try:
            if self.alerts is not None:
                self._append_records(batch.select(
                    F.unix_millis("Interval.start").alias("window_start"),
                    F.unix_millis("Interval.end").alias("window_end"),
                    "user_id", "crash_count",
                ).collect(), batch_id)
            if self.console:
                self._print_table(batch, batch_id)
        finally:
            if self.console:
                batch.unpersist()

    def _append_records(self, rows, batch_id: int) -> None:
        emitted_at = int(time.time() * 1000)
        with self.alerts.open("a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({
                    "window_start": row.window_start, "window_end": row.window_end, "user_id": row.user_id,
                    "crash_count": row.crash_count, "emitted_at": emitted_at, "batch": batch_id,
                }) + "\n")

    def _print_table(self, batch, batch_id: int) -> None:
        # The header and table of Spark's ConsoleSink (numRows, truncate false, as in the course's job).
        rule = "-------------------------------------------"
        print(f"{rule}\nBatch: {batch_id}\n{rule}", flush=True)
        batch.show(self.console_rows, truncate=False)
        sys.stdout.flush()


def end_offsets(source_progress: dict | None) -> dict[str, int]:
    """A source's end offsets as `{"<partition>": next offset}`.

    The pykafka source reports that shape already; Spark's connector nests it under the topic name; the files
    source has no partitions (`{}`).
    """
    offsets = (source_progress or {}).get("endOffset")
    if isinstance(offsets, str):
        offsets = json.loads(offsets)
    if not isinstance(offsets, dict):
        return {}
    if len(offsets) == 1 and isinstance(next(iter(offsets.values())), dict):
        offsets = next(iter(offsets.values()))
    if all(key.isdigit() and isinstance(value, int) for key, value in offsets.items()):
        return {key: offsets[key] for key in sorted(offsets, key=int)}
    return {}


class BatchLog:
    """Turns StreamingQueryProgress updates into batch-log lines (DESIGN.md, "Batch log").

    `eventTime.watermark` of batch n is the watermark Spark evicts state with (and emits by, in append mode)
    in that batch; rows of batch n were dropped as late against batch n-1's value (Spark >= 3.4's
    `eventTimeWatermarkForLateEvents`), so that is logged as `late_watermark_ms`. A job that resumes a
    checkpoint starts from `last_watermark`, the last logged batch's: Spark takes that batch's watermark from
    the checkpoint's offset log, not 0.
    """

    def __init__(self, path: Path | None, instance: str, last_watermark: int = 0) -> None:
        self.path = path
        self.instance = instance
        self.last_batch = -1
        self.last_watermark = last_watermark

    def entry(self, progress: dict) -> dict:
        watermark = epoch_ms((progress.get("eventTime") or {}).get("watermark"))
        offsets = end_offsets((progress.get("sources") or [None])[0])
        started = epoch_ms(progress["timestamp"])
        return {
            "batch": progress["batchId"],
            "late_watermark_ms": self.last_watermark,
            "eviction_watermark_ms": watermark,
            "end_offsets": offsets,
            "started_at": started,
            "ended_at": started + int((progress.get("durationMs") or {}).get("triggerExecution", 0)),
            "instance": self.instance,
            "partitions": [int(p) for p in offsets],
        }

    def record(self, progresses: list[dict]) -> list[dict]:
        """Logs the batches not logged yet, in batch order; returns their progress updates."""
        fresh = sorted((p for p in progresses if p["batchId"] > self.last_batch), key=lambda p: p["batchId"])
        entries = []
        for progress in fresh:
            entry = self.entry(progress)
            entries.append(entry)
            self.last_batch = entry["batch"]
            self.last_watermark = entry["eviction_watermark_ms"]
        if self.path is not None and entries:
            with self.path.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(entry) + "\n" for entry in entries)
        return fresh


def resumes(checkpoint: Path) -> bool:
    """Whether Spark resumes from this checkpoint rather than starting afresh: its offset log names a batch."""
    offsets = checkpoint / "offsets"
    return offsets.is_dir() and any(name.isdigit() for name in os.listdir(offsets))


def cut_partial_line(path: Path) -> None:
    """Cuts a line that a killed job left unfinished off the end of `path`, so that the next append starts a
    line of its own."""
    data = path.read_bytes()
    complete = data.rfind(b"\n") + 1
    if complete < len(data):
        with path.open("r+b") as out:
            out.truncate(complete)


def last_logged_watermark(path: Path | None) -> int:
    """The eviction watermark of a batch log's last line; 0 when there is no line."""
    lines = path.read_bytes().splitlines() if path is not None and path.exists() else []
    if not lines:
        return 0
    try:
        return int(json.loads(lines[-1])["eviction_watermark_ms"])
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"--batch-log {path}: its last line is not a batch-log line, so the resumed checkpoint's "
                         "watermark is unknown; give a new --checkpoint to start afresh") from None


def open_outputs(args: argparse.Namespace) -> BatchLog:
    """Prepares the output files as `windtunnel detect` does at a (re)start.

    A job that resumes its checkpoint appends to them, and its first batch drops late rows against the
    watermark of the last batch logged before. A job that starts afresh re-derives every output from the
    source's start, so it starts the files afresh too: an earlier run's lines would read as duplicates of
    its own batches.
    """
    paths = [path for path in (args.alerts, args.batch_log) if path is not None]
    if args.checkpoint is None or not resumes(args.checkpoint):
        for path in paths:
            path.write_bytes(b"")
        return BatchLog(args.batch_log, args.instance)
    for path in paths:
        if path.exists():
            cut_partial_line(path)
    return BatchLog(args.batch_log, args.instance, last_logged_watermark(args.batch_log))


# -- running ----------------------------------------------------------------------------------------------------

def build_session(args: argparse.Namespace):
    """The Spark session; the environment is prepared first because the JVM and Python workers inherit it."""
    # The pykafka source is imported by the driver's planning Python process and the Python workers, which
    # see only what PYTHONPATH names (shipping the file with addPyFile is not enough for planning).
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(HERE))
    # Under spark-submit the JVM already runs with its --master; setting one here would override it, and the
    # submitter's environment decides which Python the executors run.
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    master = args.master or (None if submitted else "local[2]")
    if not submitted:
        # Without this, local Python workers run whatever `python3` is on PATH, not this interpreter.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    import pyspark
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("windtunnel-crash-monitor")
    if master:
        builder = builder.master(master)
    builder = (
        builder.config("spark.sql.session.timeZone", args.timezone)
        .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
        .config("spark.ui.showConsoleProgress", "false")  # progress bars would garble the console tables
        .config("spark.sql.streaming.numRecentProgressUpdates", "1000")
    )
    if master and master.startswith("local"):
        builder = builder.config("spark.ui.enabled", "false")
    if args.source == "kafka":
        # Under spark-submit --packages the JVM already has the connector and this setting is moot.
        builder = builder.config("spark.jars.packages",
                                 f"org.apache.spark:spark-sql-kafka-0-10_2.13:{pyspark.__version__}")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


class StopRequest:
    """Set by SIGINT/SIGTERM so that the job stops its query cleanly and flushes its logs."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum, frame) -> None:
        self.requested = True


class QueryStopped(Exception):
    """The query ended by itself: Spark failed it, or its execution thread died."""


def run(args: argparse.Namespace, spark=None) -> int:
    """Runs the query until idle or interrupted; returns the number of batches logged.

    Raises QueryStopped when the query ends on its own, with Spark's reason when it gave one.
    """
    # A parent may start the job with these signals blocked (a process spawned from a libdispatch thread
    # inherits that thread's mask): a blocked SIGTERM would stay pending and the job could only be killed.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if args.source == "pykafka":
        check_brokers(args)
    log = open_outputs(args)
    spark = spark or build_session(args)
    checkpoint = args.checkpoint or Path(tempfile.mkdtemp(prefix="crash-monitor-checkpoint-"))
    stop = StopRequest()
    previous_handlers = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    query = (
        crash_alerts(raw_values(spark, args), Rule.from_args(args))
        .writeStream.outputMode(args.mode)
        .foreachBatch(AlertSink(args.alerts, args.console, args.console_rows))
        .option("checkpointLocation", str(checkpoint))
        .trigger(processingTime=f"{args.trigger} milliseconds")
        .start()
    )
    try:
        watch(query, log, args.until_idle, stop)
        ended_by_itself = not query.isActive
        failure = query.exception()
        query.stop()
        log.record(progress_dicts(query))  # the batches that completed since the last look
        if ended_by_itself:
            raise QueryStopped(str(failure) if failure else "its execution thread ended without a reason")
    finally:
        if query.isActive:
            query.stop()
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
        if args.checkpoint is None:
            shutil.rmtree(checkpoint, ignore_errors=True)
    return log.last_batch + 1


def watch(query, log: BatchLog, until_idle_ms: int | None, stop: StopRequest) -> None:
    """Logs batches as they complete; returns when the query ended, was interrupted, or was idle long enough.

    Idle means no batch with input rows for `until_idle_ms`, counted from the first trigger Spark runs (the
    query's set-up before it can take seconds) or from the last batch that had input. It never ends a running
    trigger, not even when interrupted: stopping a query while its foreachBatch function runs a Spark job
    interrupts that job, and Spark 4.3 then dies in its stream thread with a StackOverflowError; the batch's
    alerts would be written without its batch-log line.
    """
    idle_since = None
    while query.isActive:
        # Read the status before the progress: Spark posts a batch's progress before it clears the flag.
        busy = query.status["isTriggerActive"]
        fresh = log.record(progress_dicts(query))
        if stop.requested and not busy:
            return
        if any(p["numInputRows"] > 0 for p in fresh) or (idle_since is None and (busy or fresh)):
            idle_since = time.monotonic()
        if until_idle_ms and idle_since is not None and not busy:
            if time.monotonic() - idle_since >= until_idle_ms / 1000:
                return
        time.sleep(0.1)


def progress_dicts(query) -> list[dict]:
    """The query's recent progress updates as plain dicts (PySpark 4 wraps them in objects)."""
    return [p if type(p) is dict else json.loads(p.json) for p in query.recentProgress]


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except UsageError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 2
    except QueryStopped as error:
        print(f"{PROGRAM}: the query stopped: {first_line(error)}", file=sys.stderr)
        return 1
    except Exception as error:  # Spark refused the query (e.g. no Kafka connector): its first line, no JVM trace
        print(f"{PROGRAM}: the query could not run: {first_line(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
