"""Watch a file (policies/rules.yaml) and call back when its content changes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path


def file_fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class FileWatcher:
    def __init__(self, path: Path, on_change: Callable[[], None], interval_seconds: float = 0.5) -> None:
        self.path = path
        self._on_change = on_change
        self._interval = interval_seconds
        self._seen = (self._stat(), file_fingerprint(path))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rules-watcher", daemon=True)

    def _stat(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def check(self) -> bool:
        """Call back once if the file changed since the last check; say whether it did."""
        stat = self._stat()
        if stat == self._seen[0]:
            return False
        fingerprint = file_fingerprint(self.path)
        changed = fingerprint != self._seen[1]
        self._seen = (stat, fingerprint)
        if changed:
            self._on_change()
        return changed

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.check()

    def start(self) -> FileWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
