"""Saying when the broker stops answering and when it is back, once each; kafka-python
reconnects by itself, so the worker only reports and keeps its metric up to date."""

from __future__ import annotations

import logging
import time

from pipelines.stream.metrics import StreamMetrics
from transforms.runtime.outage import REPORT_EVERY

log = logging.getLogger(__name__)


class BrokerWatch:
    """Called once per loop of the worker with its consumer."""

    def __init__(self, servers: str, topic: str, group: str, session_timeout_ms: int,
                 metrics: StreamMetrics) -> None:
        self.servers = servers
        self.topic = topic
        self.group = group
        self.threshold = max(10.0, session_timeout_ms / 3000)
        self.metrics = metrics
        self._silent_since: float | None = None
        self._reported = 0.0
        self._unassigned_since = time.monotonic()

    def check(self, consumer, owns_partitions: bool) -> None:
        silence = heartbeat_silence(consumer)
        now = time.monotonic()
        if silence is not None and silence > self.threshold:
            if self._silent_since is None:
                self._silent_since = now - silence
                self.metrics.broker_up.set(0)
                log.warning("Kafka at %s has not answered for %.0f s; waiting for it, the worker "
                            "resumes by itself (reported again once a minute).", self.servers, silence)
                self._reported = now
            elif now - self._reported >= REPORT_EVERY:
                self._reported = now
                log.warning("Kafka at %s has still not answered after %.0f s; waiting.",
                            self.servers, now - self._silent_since)
        elif self._silent_since is not None and silence is not None:
            log.warning("Kafka at %s answers again after %.0f s; resuming.",
                        self.servers, now - self._silent_since)
            self._silent_since = None
            self.metrics.broker_up.set(1)
        if owns_partitions:
            self._unassigned_since = now
        elif now - self._unassigned_since > 30:
            log.warning("no partition of %s assigned for 30 s: check that the topic exists and that "
                        "Kafka at %s is up (other workers of group %s may own all partitions).",
                        self.topic, self.servers, self.group)
            self._unassigned_since = now


def heartbeat_silence(consumer) -> float | None:
    """Seconds since the group coordinator last answered a heartbeat, if known."""
    heartbeat = getattr(getattr(consumer, "_coordinator", None), "heartbeat", None)
    last = getattr(heartbeat, "last_receive", None)
    if not isinstance(last, (int, float)) or last == float("-inf"):
        return None
    return time.monotonic() - last
