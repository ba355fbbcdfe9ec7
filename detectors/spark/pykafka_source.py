"""A Kafka streaming source for Spark 4 written with the Python Data Source API over confluent-kafka.

Spark's own Kafka connector (`format("kafka")`) is a JVM jar fetched from Maven with `--packages`; where
Maven is out of reach this source reads the same topic with librdkafka instead. It is registered as
`format("pykafka")` and takes the connector's option names:

    spark.readStream.format("pykafka")
        .option("kafka.bootstrap.servers", "127.0.0.1:9092")   # any "kafka.<property>" goes to librdkafka
        .option("subscribe", "logs")
        .option("maxOffsetsPerTrigger", 100000)                  # optional row limit per micro-batch
        .load()

Columns: `key` and `value` (UTF-8 strings; undecodable bytes become U+FFFD), `partition`, `offset`, and
`timestamp` (the Kafka record timestamp). Each micro-batch has one Spark partition per Kafka partition that
has new records. Offsets live in Spark's checkpoint as a JSON object `{"<partition>": <next offset>}`, so a
restarted query resumes where its last committed batch ended. Reading starts at the earliest offsets.

Two things differ from a naive reader, both for reasons measured on the Tansu broker (see the project's notes):
- A partition's end is found by *fetching*: Tansu answers ListOffsets(LATEST) with the start of the last
  record batch, so a reader trusting it never reads that batch. The reader fetches from that offset and
  takes the end from the fetch's high watermark (or the end-of-partition event).
- A gap in a partition's offsets is fetched again from its start before it is read past: Tansu, read while
  producers append, now and then answers a fetch with a later record batch than the one asked for, and a
  later fetch returns the skipped records (`GAP_ATTEMPTS` tries, then the gap is taken as offsets without
  records, as compaction leaves them).
- With a row limit, each batch takes from every partition in proportion to what it has pending, as Spark's
  connector does. Filling partition 0 first would push the event-time watermark past the other partitions'
  data, and Spark would then drop it as late.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping

import pyarrow as pa
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadLimit, ReadMaxRows
from pyspark.sql.types import LongType, IntegerType, StringType, StructField, StructType, TimestampType

SCHEMA = StructType(
    [
        StructField("key", StringType()),
        StructField("value", StringType()),
        StructField("partition", IntegerType()),
        StructField("offset", LongType()),
        StructField("timestamp", TimestampType()),
    ]
)

# Settings every consumer of this source needs with Tansu; harmless with Apache Kafka. The session and
# heartbeat values matter only if a group is ever joined (this source only assigns partitions).
_CONSUMER_DEFAULTS = {
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "enable.partition.eof": True,
    "auto.offset.reset": "earliest",
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 1000,
    "queued.min.messages": 200000,
    # A fetch at the end of a partition waits this long for data before the broker answers; the planner
    # waits for exactly that answer every trigger, so the default (500 ms) would be added to every batch.
    "fetch.wait.max.ms": 50,
}
# How long a fetch may make no progress before the reader gives up with an error instead of hanging.
_STALL_SECONDS = 60.0
_CONSUME_CHUNK = 10000


class KafkaPartitionRange(InputPartition):
    """The records `[start, end)` of one Kafka partition: one Spark task."""

    def __init__(self, partition: int, start: int, end: int) -> None:
        super().__init__((partition, start, end))
        self.partition = partition
        self.start = start
        self.end = end


def consumer_config(options: Mapping[str, str]) -> dict:
    """librdkafka settings: the defaults above, then every `kafka.<property>` option of the source."""
    config = dict(_CONSUMER_DEFAULTS)
    config["group.id"] = f"windtunnel-spark-{uuid.uuid4().hex[:12]}"  # never joined or committed
    for name, value in options.items():
        if name.lower().startswith("kafka."):
            config[name[len("kafka."):]] = value
    if "bootstrap.servers" not in config:
        raise ValueError("the pykafka source needs option kafka.bootstrap.servers")
    return config


GAP_ATTEMPTS = 5


def take_contiguous(offsets: list[int], position: int, end: int) -> tuple[list[int], bool]:
    """Which of a fetch's records (their offsets, ascending) to keep when reading from `position` up to `end`.

    Returns the indexes kept, in order, and whether a gap stopped the taking: a record beyond the next expected
    offset. Records before `position` (fetched before a move back) and from `end` on are left out.
    """
    kept = []
    for index, offset in enumerate(offsets):
        if offset < position:
            continue
        if offset >= end:
            break
        if offset > position:
            return kept, True
        kept.append(index)
        position = offset + 1
    return kept, False


def apportion(pending: Mapping[int, int], limit: int) -> dict[int, int]:
    """Splits a row limit over partitions in proportion to what each has pending (largest remainder).

    Returns how many records to take from each partition; never more than it has, and all of it when the
    total fits. Ties go to the lower partition number so that the split is deterministic.
    """
    total = sum(pending.values())
    if total <= limit:
        return dict(pending)
    shares = {p: n * limit / total for p, n in pending.items()}
    taken = {p: int(share) for p, share in shares.items()}
    leftover = limit - sum(taken.values())
    by_remainder = sorted(pending, key=lambda p: (-(shares[p] - taken[p]), p))
    for p in by_remainder[:leftover]:
        taken[p] += 1
    return taken


class KafkaStreamReader(DataSourceStreamReader):
    """Plans micro-batches on the driver (offsets) and reads partition ranges on the executors."""

    def __init__(self, options: Mapping[str, str]) -> None:
        self.options = dict(options)
        self.config = consumer_config(self.options)
        self.topic = self.options.get("subscribe") or self.options.get("topic")
        if not self.topic:
            raise ValueError("the pykafka source needs option subscribe (the topic)")
        limit = self.options.get("maxOffsetsPerTrigger") or self.options.get("maxoffsetspertrigger")
        self.max_rows = int(limit) if limit else None
        self._probe: Consumer | None = None

    # -- planning, in the driver's long-lived Python process ------------------------------------------------

    def _consumer(self) -> Consumer:
        if self._probe is None:
            self._probe = Consumer(self.config)
        return self._probe

    def _partitions(self) -> list[int]:
        """The topic's partitions now; none while the topic does not exist yet (producers may create it)."""
        metadata = self._consumer().list_topics(self.topic, timeout=10)
        topic = metadata.topics.get(self.topic)
        if topic is None or topic.error is not None:
            return []
        return sorted(topic.partitions)

    def _ends(self, partitions: list[int]) -> dict[int, int]:
        """Each partition's end (next offset to be written), found by fetching from ListOffsets' answer.

        ListOffsets may answer with the start of the last record batch (Tansu); the fetch that follows returns
        that batch and a correct high watermark, or reports the end of the partition at once.
        """
        consumer = self._consumer()
        starts = {}
        for p in partitions:
            _, high = consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=10)
            starts[p] = max(high, 0)
        consumer.assign([TopicPartition(self.topic, p, starts[p]) for p in partitions])
        ends: dict[int, int] = {}
        deadline = time.monotonic() + _STALL_SECONDS
        while len(ends) < len(partitions):
            if time.monotonic() > deadline:
                missing = sorted(set(partitions) - set(ends))
                raise TimeoutError(f"no fetch answer from topic {self.topic} partitions {missing}")
            for message in consumer.consume(num_messages=_CONSUME_CHUNK, timeout=0.05):
                p = message.partition()
                error = message.error()
                if error is not None and error.code() == KafkaError._PARTITION_EOF:
                    ends[p] = message.offset()
                elif error is not None:
                    raise KafkaException(error)
                elif p not in ends:
                    _, high = consumer.get_watermark_offsets(TopicPartition(self.topic, p), cached=True)
                    ends[p] = max(high, message.offset() + 1)
        consumer.unassign()
        return ends

    def initialOffset(self) -> dict:
        consumer = self._consumer()
        offsets = {}
        for p in self._partitions():
            low, _ = consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=10)
            offsets[str(p)] = max(low, 0)
        return offsets

    def getDefaultReadLimit(self) -> ReadLimit:
        return ReadMaxRows(self.max_rows) if self.max_rows else ReadAllAvailable()

    def latestOffset(self, start: dict, limit: ReadLimit) -> dict:
        partitions = self._partitions()
        if not partitions:
            return start
        ends = self._ends(partitions)
        # A partition that appeared after the query started is read from its beginning.
        begin = {p: int(start.get(str(p), 0)) for p in partitions}
        pending = {p: max(ends[p] - begin[p], 0) for p in partitions}
        if isinstance(limit, ReadMaxRows):
            pending = apportion(pending, limit.max_rows)
        return {str(p): begin[p] + pending[p] for p in partitions}

    def partitions(self, start: dict, end: dict) -> list[KafkaPartitionRange]:
        ranges = []
        for key, stop in sorted(end.items(), key=lambda item: int(item[0])):
            first = int(start.get(key, 0))
            if stop > first:
                ranges.append(KafkaPartitionRange(int(key), first, int(stop)))
        return ranges

    def stop(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    # -- reading, in an executor's Python worker --------------------------------------------------------------

    def read(self, partition: KafkaPartitionRange) -> Iterator[pa.RecordBatch]:
        """Yields the partition's records `[start, end)` as Arrow record batches (far faster than tuples)."""
        schema = to_arrow_schema(SCHEMA, timezone="UTC")
        consumer = Consumer(self.config)
        try:
            consumer.assign([TopicPartition(self.topic, partition.partition, partition.start)])
            position = partition.start
            last_progress = time.monotonic()
            gap = (-1, 0)  # the start of the last gap and how often it was fetched again
            while position < partition.end:
                # consume() waits until it has num_messages or times out: never ask for more than is left.
                wanted = min(_CONSUME_CHUNK, partition.end - position)
                messages = consumer.consume(num_messages=wanted, timeout=1.0)
                for message in messages:
                    error = message.error()
                    if error is not None and error.code() != KafkaError._PARTITION_EOF:
                        raise KafkaException(error)
                fetched = [m for m in messages if m.error() is None]
                kept, stopped = take_contiguous([m.offset() for m in fetched], position, partition.end)
                records = [fetched[i] for i in kept]
                if records:
                    position = records[-1].offset() + 1
                    last_progress = time.monotonic()
                    yield _record_batch(records, schema)
                if stopped:
                    tries = gap[1] if gap[0] == position else 0
                    if tries < GAP_ATTEMPTS:
                        gap = (position, tries + 1)
                    else:
                        # The offsets hold no records: read on from the next record there is.
                        position = next(m.offset() for m in fetched if m.offset() > position)
                        gap = (-1, 0)
                    consumer.seek(TopicPartition(self.topic, partition.partition, position))
                elif not records and time.monotonic() - last_progress > _STALL_SECONDS:
                    raise TimeoutError(
                        f"topic {self.topic} partition {partition.partition}: stuck at offset {position}, "
                        f"expected records up to {partition.end}"
                    )
        finally:
            consumer.close()


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")


def _record_batch(messages: list, schema: pa.Schema) -> pa.RecordBatch:
    columns = [
        pa.array([_text(m.key()) for m in messages], pa.string()),
        pa.array([_text(m.value()) for m in messages], pa.string()),
        pa.array([m.partition() for m in messages], pa.int32()),
        pa.array([m.offset() for m in messages], pa.int64()),
        pa.array([m.timestamp()[1] * 1000 for m in messages], pa.int64()).cast(schema.field("timestamp").type),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


class KafkaPythonSource(DataSource):
    """`format("pykafka")`: a streaming Kafka source over confluent-kafka (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "pykafka"

    def schema(self) -> StructType:
        return SCHEMA

    def streamReader(self, schema: StructType) -> KafkaStreamReader:
        return KafkaStreamReader(self.options)
