"""The FB1xx codes this front-end reports (catalogued in fastbackend.codes, documented in
docs/diagnostics.md)."""

from __future__ import annotations

SYNTAX = "FB101"  # error: the file is not valid Python
UNSUPPORTED = "FB102"  # error: a construct the front-end does not support
NOT_STATIC = "FB103"  # warning: a value that cannot be known without running the code
UNKNOWN_TYPE = "FB104"  # warning: a column type recorded by name, not interpreted
UNRESOLVED = "FB105"  # error: a class, table or column name that does not resolve
UNRESOLVED_INDEX = "FB105"  # the same, as a warning, for a module-level Index(...)
AMBIGUOUS_RELATION = "FB106"  # error: a relationship's direction or join cannot be determined
NO_PRIMARY_KEY = "FB107"  # error: a mapped class without a primary key
NO_MODELS = "FB108"  # error: no mapped class in the source
DUPLICATE = "FB109"  # error: two mapped classes with the same name or table
NO_TABLE_NAME = "FB110"  # error: a mapped class without a table name
UNMAPPED_TARGET = "FB111"  # warning: a foreign key to a table no class maps
JOIN_TABLE_COLUMN = "FB112"  # warning: an association table's column that is not a foreign key
NOT_A_NAME = "FB113"  # warning: a name the IR cannot hold (a backref that is not an identifier)
NOT_AUTOINCREMENT = "FB114"  # error: autoincrement=True on a key column that is not an integer
NAME_TOO_LONG = "FB115"  # error: a constraint name= longer than PostgreSQL's 63 bytes
INTERNAL = "FB100"  # error: the front-end failed on this input (a compiler bug)
