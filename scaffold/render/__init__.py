"""Rendering: a frozen spec in, a list of (path, text) out. Nothing here writes to disk."""
