"""Two versions of one entity, with where each lives in its IR."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend_ir import Entity


@dataclass(frozen=True)
class Renames:
    """Base name -> head name of renamed entities and enums, so that what refers to them (a
    relation's target, a foreign key, a field's enum) is not reported as changed too."""

    entities: dict[str, str] = field(default_factory=dict)
    enums: dict[str, str] = field(default_factory=dict)

    def entity(self, base_name: str) -> str:
        return self.entities.get(base_name, base_name)

    def enum(self, base_name: str | None) -> str | None:
        return self.enums.get(base_name, base_name) if base_name is not None else None


@dataclass(frozen=True)
class EntityPair:
    base: Entity
    head: Entity
    base_at: str
    head_at: str
    renames: Renames = field(default_factory=Renames)
    realtime: tuple[bool, bool] = (False, False)
    """Whether the entity has a realtime feed (``GET {path}/changes``) in the base, the head."""

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
