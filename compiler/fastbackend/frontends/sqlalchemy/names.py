"""What a qualified name is: SQLAlchemy (and SQLModel) names by their last part, dialects, func."""

from __future__ import annotations

SA_HEADS = frozenset({"sqlalchemy", "sqlmodel"})
FLASK_MODEL = "flask_sqlalchemy.Model"
FLASK_FACTORY = "flask_sqlalchemy.SQLAlchemy"


def sa_name(qname: str | None) -> str | None:
    """``sqlalchemy.orm.mapped_column`` -> ``mapped_column``; None for anything else."""
    if qname is None:
        return None
    head, _, rest = qname.partition(".")
    if head not in SA_HEADS or not rest:
        return None
    if ".func." in f".{rest}" or rest.startswith("func."):
        return None
    return rest.rsplit(".", 1)[-1]


def is_sa(qname: str | None, *names: str) -> bool:
    return sa_name(qname) in names


def sql_function(qname: str | None) -> str | None:
    """``sqlalchemy.func.now`` -> ``now``: a server-side SQL function call."""
    if qname is None or qname.split(".")[0] not in SA_HEADS:
        return None
    _, found, rest = qname.partition("func.")
    return rest if found and rest else None


def dialect(qname: str) -> str | None:
    parts = qname.split(".")
    if "dialects" in parts:
        index = parts.index("dialects")
        return parts[index + 1] if index + 1 < len(parts) else None
    return None


def is_declared_attr(qname: str | None) -> bool:
    if qname is None:
        return False
    parts = qname.split(".")
    return parts[0] in SA_HEADS and "declared_attr" in parts


def python_name(qname: str | None) -> str | None:
    """A typing/builtins/stdlib name without its module noise (``typing.Optional`` -> same)."""
    if qname is None:
        return None
    for prefix in ("builtins.", "typing_extensions."):
        if qname.startswith(prefix):
            return ("typing." if prefix == "typing_extensions." else "") + qname[len(prefix):]
    return qname
