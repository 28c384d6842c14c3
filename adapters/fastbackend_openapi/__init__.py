"""The openapi adapter (consumes only fastbackend_ir). Not implemented yet: see the open issue."""
