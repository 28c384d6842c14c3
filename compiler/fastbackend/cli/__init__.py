"""The click CLI: one module per command, assembled in main.py."""
