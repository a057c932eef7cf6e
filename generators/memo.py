"""Values derived from objects that live as long as the process (a scenario, its goals, its operator's turns, its
tuples of lines), kept by the object's identity: hashing a tuple of lines at every lookup would cost more than the
derivation saves, and a value per object is all that is wanted."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByIdentity(Generic[V]):
    """One value per (object, key), made by ``make`` on first use. The object is kept beside its value, so it
    stays alive and no other object can take its id while the value is kept."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, Hashable], tuple[object, V]] = {}

    def get(self, owner: object, make: Callable[[], V], key: Hashable = None) -> V:
        slot = (id(owner), key)
        found = self._kept.get(slot)
        if found is None:
            found = self._kept[slot] = (owner, make())
        return found[1]
