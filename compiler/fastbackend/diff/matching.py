"""Pair the elements of two IRs by a key, keeping each element's position for its pointer."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Item(Generic[T]):
    """An element and its JSON Pointer token (index in a list, or key in an object)."""

    token: str
    node: T


@dataclass(frozen=True)
class Matched(Generic[T]):
    pairs: list[tuple[Item[T], Item[T]]]
    removed: list[Item[T]]
    added: list[Item[T]]


def listed(nodes: Iterable[T]) -> list[Item[T]]:
    return [Item(str(index), node) for index, node in enumerate(nodes)]


def keyed(nodes: dict[str, T]) -> list[Item[T]]:
    return [Item(name, node) for name, node in sorted(nodes.items())]


def match(base: list[Item[T]], head: list[Item[T]], key: Callable[[T], Hashable]) -> Matched[T]:
    """Pair elements whose keys are equal (first come, first paired); the rest are removed or
    added. Order follows the head, then the base, so results are deterministic."""
    waiting: dict[Hashable, list[Item[T]]] = {}
    for item in base:
        waiting.setdefault(key(item.node), []).append(item)
    pairs: list[tuple[Item[T], Item[T]]] = []
    added: list[Item[T]] = []
    for item in head:
        candidates = waiting.get(key(item.node))
        if candidates:
            pairs.append((candidates.pop(0), item))
        else:
            added.append(item)
    paired = {id(old) for old, _ in pairs}
    removed = [item for item in base if id(item) not in paired]
    return Matched(pairs, removed, added)
