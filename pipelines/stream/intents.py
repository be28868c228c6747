"""Durable progress of the streaming worker, kept next to the dataset it describes.

The dataset, not Kafka, is the source of truth for what has been written: a worker that
is killed between renaming its files into place and committing its offsets must not
write those rows a second time. Under ``DIR/_state/stream/TOPIC/`` (readers of the
dataset skip folders starting with ``_``) live:

- ``p00003.json``: ``{"next_offset": N}``, every offset of partition 3 below N is in the
  dataset. It only moves forward.
- ``p00003.lock``: held (``flock``) by the worker that owns partition 3. A worker that
  was evicted from the consumer group but is still finishing a batch keeps it, so the
  partition's new owner waits instead of writing the same offsets a second time.
- ``intents/STEM.json``: a batch about to be written: its file stem, the offset range
  of each partition in it, and its ``ingested_at``. It is held (``flock``) while the
  batch runs and removed once the progress files are updated. An intent left behind by
  a crash is replayed exactly (same ranges, same stem, same ``ingested_at``), so its
  files are rewritten with the same names and the same rows.

Locks are advisory POSIX ``flock`` locks: the folder must be on a local file system or
one that supports them across hosts (NFSv4). The kernel releases them when a process
dies, ``kill -9`` included, which is what lets a crashed worker's intent be claimed.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from transforms.writing.write import fsync_path

STATE_FOLDER = os.path.join("_state", "stream")


@dataclass(frozen=True)
class Intent:
    """One micro-batch, as promised before any of its files is written."""

    stem: str
    # partition -> (first offset, last offset), both included.
    ranges: dict[int, tuple[int, int]]
    ingested_at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "stem": self.stem,
                "ranges": {str(p): list(r) for p, r in sorted(self.ranges.items())},
                "ingested_at": self.ingested_at.isoformat(),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> "Intent":
        data = json.loads(text)
        return cls(
            stem=data["stem"],
            ranges={int(p): (int(r[0]), int(r[1])) for p, r in data["ranges"].items()},
            ingested_at=datetime.fromisoformat(data["ingested_at"]),
        )


class HeldIntent:
    """An intent this process holds the lock of; ``done`` removes it."""

    def __init__(self, intent: Intent, path: str, fd: int) -> None:
        self.intent = intent
        self.path = path
        self._fd: int | None = fd

    def done(self) -> None:
        """The batch is in the dataset and the progress files say so."""
        os.unlink(self.path)
        fsync_path(os.path.dirname(self.path))
        self.release()

    def release(self) -> None:
        """Let another worker claim the intent (it stays pending)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_PROGRESS = re.compile(r"p(\d{5,})\.json")


class StreamState:
    """Progress, partition locks and intents of one topic in one dataset."""

    def __init__(self, output: str, topic: str) -> None:
        self.root = os.path.join(output, STATE_FOLDER, _SAFE.sub("_", topic))
        self.intents_dir = os.path.join(self.root, "intents")
        os.makedirs(self.intents_dir, exist_ok=True)
        self._locks: dict[int, int] = {}
        self._mutex = threading.Lock()

    # Progress -----------------------------------------------------------------------

    def next_offset(self, partition: int) -> int | None:
        """The first offset of ``partition`` not yet in the dataset, None if unknown."""
        try:
            with open(self._progress_path(partition), encoding="utf-8") as handle:
                return int(json.load(handle)["next_offset"])
        except FileNotFoundError:
            return None

    def advance(self, partition: int, next_offset: int) -> None:
        """Record that every offset below ``next_offset`` is in the dataset; never moves back."""
        current = self.next_offset(partition)
        if current is not None and current >= next_offset:
            return
        _write_atomically(self._progress_path(partition), json.dumps({"next_offset": next_offset}))

    def partitions(self) -> list[int]:
        """The partitions the dataset has progress for."""
        found = (_PROGRESS.fullmatch(name) for name in os.listdir(self.root))
        return sorted(int(match[1]) for match in found if match)

    def _progress_path(self, partition: int) -> str:
        return os.path.join(self.root, f"p{partition:05d}.json")

    # Partition ownership ------------------------------------------------------------

    def try_lock_partition(self, partition: int) -> bool:
        """Take the partition's lock if no other process holds it; True if held now."""
        with self._mutex:
            if partition in self._locks:
                return True
            fd = os.open(os.path.join(self.root, f"p{partition:05d}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_flock(fd):
                os.close(fd)
                return False
            self._locks[partition] = fd
            return True

    def unlock_partition(self, partition: int) -> None:
        with self._mutex:
            fd = self._locks.pop(partition, None)
        if fd is not None:
            os.close(fd)

    def locked_partitions(self) -> set[int]:
        with self._mutex:
            return set(self._locks)

    def unlock_all(self) -> None:
        for partition in self.locked_partitions():
            self.unlock_partition(partition)

    # Intents ------------------------------------------------------------------------

    def begin(self, intent: Intent) -> HeldIntent:
        """Write ``intent`` durably, locked by this process, before any file of the batch."""
        path = self._intent_path(intent.stem)
        temp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            # Locked before it is visible under its final name, so no other worker can
            # claim it in between.
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, intent.to_json().encode("utf-8"))
            os.fsync(fd)
            os.replace(temp, path)
            fsync_path(self.intents_dir)
        except BaseException:
            os.close(fd)
            _unlink_quietly(temp)
            raise
        return HeldIntent(intent, path, fd)

    def pending(self) -> list[Intent]:
        """Intents not yet done, whoever holds them."""
        found = []
        for path in self._intent_paths():
            try:
                with open(path, encoding="utf-8") as handle:
                    found.append(Intent.from_json(handle.read()))
            except FileNotFoundError:
                continue
        return found

    def claim(self, intent: Intent) -> HeldIntent | None:
        """Lock a pending intent to replay it; None if another process holds it or it is done."""
        path = self._intent_path(intent.stem)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return None
        if not _try_flock(fd):
            os.close(fd)
            return None
        # The holder may have finished and unlinked it between our open and our lock.
        try:
            still_there = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            still_there = False
        if not still_there:
            os.close(fd)
            return None
        return HeldIntent(intent, path, fd)

    def _intent_path(self, stem: str) -> str:
        return os.path.join(self.intents_dir, f"{stem}.json")

    def _intent_paths(self) -> Iterator[str]:
        for name in sorted(os.listdir(self.intents_dir)):
            if name.endswith(".json"):
                yield os.path.join(self.intents_dir, name)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _write_atomically(path: str, text: str) -> None:
    temp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_path(os.path.dirname(path))


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
