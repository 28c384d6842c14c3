"""Annotated aliases imported from a sibling module of the package."""
