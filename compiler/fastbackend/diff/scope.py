"""Two versions of one entity, with where each lives in its IR."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend_ir import Entity


@dataclass(frozen=True)
class EntityPair:
    base: Entity
    head: Entity
    base_at: str
    head_at: str
    enum_renames: dict[str, str] = field(default_factory=dict)
    """Base enum name -> head enum name, so a field of a renamed enum keeps its type."""

    def identity(self, *parts: str) -> str:
        """A finding's identity inside this entity; the head's name, so it is stable once the
        change is merged."""
        return ".".join((self.head.name, *parts))

    def base_columns(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return columns_of(self.base, names)

    def head_columns(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return columns_of(self.head, names)


def columns_of(entity: Entity, names: tuple[str, ...]) -> tuple[str, ...]:
    """Field names -> column names, so constraints compare equal across a field rename."""
    columns = {spec.name: spec.column for spec in entity.fields}
    return tuple(columns.get(name, name) for name in names)
