"""IR passes: decisions the compiler makes once, for every adapter (names, paths, API roles)."""
