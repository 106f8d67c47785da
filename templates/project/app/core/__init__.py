"""Cross-cutting pieces: settings, errors, module discovery."""
