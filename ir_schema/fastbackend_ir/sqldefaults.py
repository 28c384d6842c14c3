"""Which SQL defaults the application makes itself, and which the database must run: the one
rule the FastAPI runtime and the Express server share (here, in the IR package, because
adapters may not import each other; see routable.py for the same arrangement).

A schema written for one database names its functions: PostgreSQL's ``gen_random_uuid()`` and
``uuid_generate_v4()``, MySQL's ``uuid()``. Served on a database that lacks them (a PostgreSQL
schema on SQLite, dev's default), every insert failed. A random uuid is the same value whoever
makes it, so the application makes it on every database (a uuid4), and the default stays in the
table for rows written elsewhere. Any other SQL default is the database's to run; a server
checks once at start-up that its database can, and refuses to start otherwise, naming the
columns (a clear message at start-up rather than an error on every insert).
"""

from __future__ import annotations

from fastbackend_ir.nodes import Field, GeneratorDefault, SqlDefault

# Server-side SQL for a random uuid, normalised (see normalized()).
UUID_FUNCTIONS = frozenset({"gen_random_uuid()", "uuid_generate_v4()", "uuid()"})
# The logical types whose values such a uuid can be.
UUID_TYPES = frozenset({"uuid", "string"})


def normalized(expression: str) -> str:
    """`(gen_random_uuid())`, `GEN_RANDOM_UUID ()` -> `gen_random_uuid()`."""
    text = "".join(expression.split()).lower()
    while text.startswith("(") and text.endswith(")") and text[1:-1].count("(") == text[1:-1].count(")"):
        text = text[1:-1]
    return text


def application_default(field: Field) -> GeneratorDefault | None:
    """The generator the application runs in place of the field's SQL default, if any."""
    default = field.default
    if (isinstance(default, SqlDefault) and field.type in UUID_TYPES and not field.list
            and normalized(default.expression) in UUID_FUNCTIONS):
        return GeneratorDefault("uuid4")
    return None


def database_default(field: Field) -> str | None:
    """The SQL the database must run for rows the API creates: a SQL default the application
    does not make (neither in its place nor as an updatedAt stamp); None otherwise."""
    default = field.default
    if (not isinstance(default, SqlDefault) or not default.expression or field.updated_at
            or application_default(field) is not None):
        return None
    return default.expression
