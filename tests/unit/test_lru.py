"""authorizer.lru: the bounded map behind the engine's memos."""

from __future__ import annotations

from authorizer.lru import LruCache


def test_the_least_recently_used_entry_is_forgotten_first() -> None:
    # GIVEN two entries, the older one used since
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    # WHEN a third arrives THEN the one not used since is forgotten
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_a_size_of_zero_remembers_nothing() -> None:
    cache: LruCache[str, int] = LruCache(0)
    cache.put("a", 1)
    assert (cache.get("a"), len(cache)) == (None, 0)


def test_values_lists_the_entries_without_counting_as_a_use() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert list(cache.values()) == [1, 2]
    cache.put("c", 3)  # "a" is still the least recently used
    assert list(cache.values()) == [2, 3]


def test_pop_forgets_an_entry_and_ignores_a_missing_one() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.pop("a")
    cache.pop("never there")
    assert (cache.get("a"), len(cache)) == (None, 0)
