"""A mutation fuzzer of both front-ends through the real CLI (docs/testing.md, "The fuzzer")."""
