"""FastBackend's compiler: front-ends that read models statically, IR passes, diagnostics, CLI."""

from fastbackend.__about__ import __version__

__all__ = ["__version__"]
