"""Watch files (template.yaml, clients.yaml, rules.yaml) and call back when one's content changes.

One thread polls every file (stat first, then a content hash when the stat changed), so a touch
without an edit calls nothing back. Callbacks run on that thread, one at a time, in the order
the files were given; a callback that raises is logged and the watching goes on.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

log = logging.getLogger("local")


def file_fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class FileWatcher:
    def __init__(self, callbacks: Mapping[Path, Callable[[], None]], interval_seconds: float = 0.5) -> None:
        self._callbacks = dict(callbacks)
        self._interval = interval_seconds
        self._seen = {path: (_stat(path), file_fingerprint(path)) for path in self._callbacks}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="file-watcher", daemon=True)

    def check(self) -> list[Path]:
        """Call back once for each file that changed since the last check; the files that did."""
        changed = []
        for path, on_change in self._callbacks.items():
            stat = _stat(path)
            if stat == self._seen[path][0]:
                continue
            fingerprint = file_fingerprint(path)
            previous = self._seen[path][1]
            self._seen[path] = (stat, fingerprint)
            if fingerprint == previous:
                continue
            changed.append(path)
            try:
                on_change()
            except Exception:  # a reload bug must not end the watching of every file
                log.exception("%s changed, and reacting to it failed", path)
        return changed

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.check()

    def start(self) -> FileWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join()
