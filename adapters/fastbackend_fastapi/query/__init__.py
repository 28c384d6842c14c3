"""The list query language (docs/query-language.md): parse, compile to SQL, page, include.

``parse`` turns query parameters into a typed Query; ``statements`` turns its shape into cached
SQL; ``include`` loads related rows per page; ``shapes`` serializes sparse and nested rows.
"""
