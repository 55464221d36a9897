"""A bounded least-recently-used map (the warm container's memos)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator


class LruCache[K, V]:
    """A map of at most ``size`` entries that forgets the least recently used first.

    A size of 0 (or less) remembers nothing. It stores what it is given: values that must not
    change once remembered should be immutable (the engine stores frozen ones).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def values(self) -> Iterator[V]:
        """The remembered values, least recently used first (does not count as a use)."""
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)
