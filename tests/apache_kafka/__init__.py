"""Apache Kafka for the tests: one KRaft node of the release pinned in ``pom.xml`` here."""

from tests.apache_kafka.node import KafkaError, KafkaNode

__all__ = ["KafkaError", "KafkaNode"]
