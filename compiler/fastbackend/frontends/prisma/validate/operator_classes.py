"""PostgreSQL index algorithms and operator classes (GiST, GIN, SP-GiST, BRIN) and CockroachDB's
inverted indexes, as prisma-engines validates them (psl-core's postgres and cockroach connector
`validations.rs`). The index-matrix test holds these tables to Prisma's engine line by line.

A field's operator class is judged with its native type (`@db.Inet`), or, without one, with its
Prisma scalar; `ops: raw("...")` is never judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastbackend.frontends.prisma.keys import Key, KeyField
from fastbackend.frontends.prisma.problems import Problem


def _classes(*stems: str) -> set[str]:
    """`_classes("Int4")` -> the BRIN classes Int4BloomOps, Int4MinMaxOps, Int4MinMaxMultiOps."""
    return {f"{stem}{suffix}" for stem in stems for suffix in ("BloomOps", "MinMaxOps",
                                                                "MinMaxMultiOps")}


_FLOAT4, _FLOAT8, _INT2, _INT4, _INT8 = (_classes(s) for s in ("Float4", "Float8", "Int2", "Int4",
                                                              "Int8"))
_NUMERIC, _OID, _DATE, _TIME, _TIMETZ = (_classes(s) for s in ("Numeric", "Oid", "Date", "Time",
                                                              "TimeTz"))
_TIMESTAMP, _TIMESTAMPTZ = _classes("Timestamp"), _classes("TimestampTz")
_BYTEA, _TEXT = {"ByteaBloomOps", "ByteaMinMaxOps"}, {"TextBloomOps", "TextMinMaxOps"}
_INET_BRIN = {"InetInclusionOps", "InetBloomOps", "InetMinMaxOps", "InetMinMaxMultiOps"}
_UUID = _classes("Uuid")

# BRIN: the classes each native type takes (no class at all is fine for every one listed).
BRIN_NATIVE: dict[str, set[str]] = {
    "Bit": {"BitMinMaxOps"}, "VarBit": {"VarBitMinMaxOps"},
    "Char": {"BpcharBloomOps", "BpcharMinMaxOps"}, "Date": _DATE, "Real": _FLOAT4,
    "DoublePrecision": _FLOAT8, "Inet": _INET_BRIN, "SmallInt": _INT2, "Integer": _INT4,
    "BigInt": _INT8, "Decimal": _NUMERIC, "Oid": _OID, "ByteA": _BYTEA, "Text": _TEXT,
    "VarChar": _TEXT, "Timestamp": _TIMESTAMP, "Timestamptz": _TIMESTAMPTZ, "Time": _TIME,
    "Timetz": _TIMETZ, "Uuid": _UUID,
}
# BRIN without a native type: the classes each Prisma scalar takes.
BRIN_SCALAR: dict[str, set[str]] = {
    "Float": _FLOAT8, "Int": _INT4, "BigInt": _INT8, "Decimal": _NUMERIC, "Bytes": _BYTEA,
    "String": _TEXT, "DateTime": _TIMESTAMP,
}
# The algorithms each named class serves; every class not listed is a BRIN class.
_NON_BRIN = {"InetOps": {"Gist", "SpGist"}, "JsonbOps": {"Gin"}, "JsonbPathOps": {"Gin"},
             "ArrayOps": {"Gin"}, "TextOps": {"SpGist"}}
# What each algorithm indexes when neither a native type nor a class says otherwise.
_PLAIN_SCALARS: dict[str, set[str] | None] = {
    "BTree": None, "Hash": None, "Gist": {"String"}, "SpGist": {"String"}, "Gin": {"Json"},
    "Brin": {"String", "Bytes", "DateTime", "Float", "Int", "BigInt", "Decimal"},
}
_SPGIST_TEXT = {"Text", "VarChar", "Char"}


def serves(operator_class: str, algorithm: str) -> bool:
    return algorithm in _NON_BRIN.get(operator_class, {"Brin"})


def _scalar(field: KeyField) -> str | None:
    return field.decl.type.name if field.decl and field.decl.type else None


def _is_list(field: KeyField) -> bool:
    return bool(field.decl and field.decl.type and field.decl.type.modifier == "list")


def _is_unsupported(field: KeyField) -> bool:
    return bool(field.decl and field.decl.type and field.decl.type.unsupported is not None)


def indexes_plainly(algorithm: str, field: KeyField) -> bool:
    """Prisma's `IndexAlgorithm::supports_field_type`."""
    allowed = _PLAIN_SCALARS.get(algorithm)
    if allowed is None or _is_unsupported(field):
        return True
    return _scalar(field) in allowed or (algorithm == "Gin" and _is_list(field))


def postgres_problems(key: Key) -> Iterator[Problem]:
    prefix = f'Error parsing attribute "{key.label}": '
    algorithm = key.algorithm or "BTree"
    for field in key.fields:
        if field.decl is None or field.raw:
            continue
        if field.ops is not None and not serves(field.ops, algorithm):
            yield _problem(key, prefix + f"The given operator class `{field.ops}` is not "
                           f"supported with the `{algorithm}` index type.")
            continue
        message = _field_message(algorithm, field)
        if message is not None:
            yield _problem(key, prefix + message)
    if key.algorithm == "SpGist" and len(key.fields) > 1:
        yield _problem(key, prefix + "SpGist does not support multi-column indices.")
    xml = next((f for f in key.fields if f.native == "Xml" and f.decl is not None), None)
    if xml is not None and xml.decl is not None and key.kind != "id":
        # Reported on the field, not on the index (prisma-engines' compatible_native_types).
        yield Problem(xml.decl.span, "FB215", key.incompatible("Xml", "Postgres"))


def _field_message(algorithm: str, field: KeyField) -> str | None:
    checks = {"Gist": _gist, "Gin": _gin, "SpGist": _spgist, "Brin": _brin}
    check = checks.get(algorithm)
    if check is None:
        return None
    if check(field):
        return None
    return _scalar_class_message(algorithm, field) or _general_message(algorithm, field)


def _gist(field: KeyField) -> bool:
    return (field.native == "Inet" and field.ops == "InetOps") or (
        field.native is None and field.ops is None and indexes_plainly("Gist", field))


def _gin(field: KeyField) -> bool:
    if field.ops is None:
        return (field.native is None and indexes_plainly("Gin", field)) or (
            _is_list(field) or field.native == "JsonB")
    if field.ops == "ArrayOps":
        return _is_list(field)
    return field.native == "JsonB" or (field.native is None and _scalar(field) == "Json")


def _spgist(field: KeyField) -> bool:
    if field.native is None:
        return (field.ops in (None, "TextOps") and _scalar(field) == "String") or (
            field.ops is None and indexes_plainly("SpGist", field))
    allowed = {None, "InetOps"} if field.native == "Inet" else (
        {None, "TextOps"} if field.native in _SPGIST_TEXT else set())
    return field.ops in allowed


def _brin(field: KeyField) -> bool:
    if field.native is not None:
        return field.native in BRIN_NATIVE and (field.ops is None
                                                 or field.ops in BRIN_NATIVE[field.native])
    if field.ops is None:
        return indexes_plainly("Brin", field)
    return field.ops in BRIN_SCALAR.get(_scalar(field) or "", set())


def _scalar_class_message(algorithm: str, field: KeyField) -> str | None:
    """A class made for one Prisma scalar, on a field of another scalar (no native type)."""
    if field.native is not None or field.ops is None:
        return None
    wanted = {"Gin": {"Json": {"JsonbOps", "JsonbPathOps"}}, "SpGist": {"String": {"TextOps"}},
              "Brin": BRIN_SCALAR}.get(algorithm, {})
    scalar = next((s for s, classes in wanted.items() if field.ops in classes), None)
    if scalar is not None:
        return (f"The given operator class `{field.ops}` points to the field `{field.name}` that "
                f"is not of {scalar} type.")
    if field.ops == "ArrayOps":
        return (f"The given operator class `ArrayOps` expects the type of field `{field.name}` "
                "to be an array.")
    return None


def _general_message(algorithm: str, field: KeyField) -> str | None:
    if field.ops == "ArrayOps":
        return (f"The given operator class `ArrayOps` expects the type of field `{field.name}` "
                "to be an array.")
    if field.native is not None and field.ops is not None:
        return (f"The given operator class `{field.ops}` does not support native type "
                f"`{field.native}` of field `{field.name}`.")
    if field.native is not None:
        return f"The {algorithm} index field type `{field.native}` has no default operator class."
    if field.ops is not None:
        return (f"The given operator class `{field.ops}` expects the field `{field.name}` to "
                "define a valid native type.")
    if not indexes_plainly(algorithm, field):
        return f"The {algorithm} index type does not support the type of the field `{field.name}`."
    return None


def cockroach_problems(key: Key) -> Iterator[Problem]:
    """CockroachDB's inverted (GIN) indexes: no operator classes, Json only as the last column."""
    if key.algorithm != "Gin":
        return
    prefix = f'Error parsing attribute "{key.label}": '
    for position, field in enumerate(key.fields):
        if field.has_ops:
            yield _problem(key, prefix + "Custom operator classes are not supported with the "
                           "current connector.")
            return
        if field.decl is None:
            continue
        if not indexes_plainly("Gin", field):
            yield _problem(key, prefix + "The Gin index type does not support the type of the "
                           f"field `{field.name}`.")
        if _scalar(field) == "Json" and position < len(key.fields) - 1:
            yield _problem(key, prefix + "A `Json` column is only allowed as the last column of "
                           "an inverted index.")


def _problem(key: Key, message: str) -> Problem:
    return Problem(key.attribute.span, "FB215", message)
