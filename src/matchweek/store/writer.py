"""Group commit: one writer thread records the commands queued while the previous transaction committed.

Callers of :meth:`GroupCommitWriter.submit` get a future each. The writer takes
every request waiting (up to ``max_batch``) and hands the batch to the store's
``write_batch``, which checks each command in order, writes all their events in
one transaction and settles every future with its own events or refusal. Under
load, many commands share one commit; alone, a command is written at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from matchweek.store.errors import StoreError


@dataclass(slots=True)
class Request:
    """One command waiting to be recorded (None: only bring the state up to date with the log)."""

    command: Any
    actor: str
    future: Future[Any] = field(default_factory=Future)


_STOP = object()


class GroupCommitWriter:
    """The single thread that writes to the event log."""

    def __init__(self, write_batch: Callable[[list[Request]], None], *, max_batch: int = 500) -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="matchweek-store-writer", daemon=True)
        self._thread.start()

    def submit(self, command: Any, actor: str) -> Future[Any]:
        """Queue ``command``; the future settles once it is committed or refused."""
        request = Request(command, actor)
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            self._queue.put(request)
        return request.future

    def close(self) -> None:
        """Record everything already queued, then stop the thread. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                return
            batch: list[Request] = [item]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            try:
                self._write_batch(batch)
            except BaseException as e:
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(e)
