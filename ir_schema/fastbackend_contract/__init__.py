"""The REST contract's data (tables.py) and the one reader of fastbackend.yaml (config.py),
shared by the compiler and every adapter; it imports nothing of ours.

Its own package, not the IR's: the IR package imports only the standard library and
jsonschema (DESIGN.md), and the reader needs PyYAML; these tables are the contract's fixed
vocabulary, not a project's IR.
"""
