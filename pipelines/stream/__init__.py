"""``copydesk stream``: the streaming worker, one member of a Kafka consumer group.

1. ``command``: the command line and signals.
2. ``worker``: the loop, taking partitions over, the exactly-once protocol.
3. ``batching``: cutting consumed records into micro-batches.
4. ``micro_batch``: one Beam graph per worker, run on each batch's spool file.
5. ``partitions``: which partitions this worker owns and their commits.
6. ``intents``: durable progress kept next to the dataset.
7. ``kafka_io``, ``dead_letters``, ``broker_watch``: Kafka plumbing (shared with
   ``copydesk produce``), rejected records, and saying when the broker is gone.
8. ``metrics``: Prometheus metrics.
"""
