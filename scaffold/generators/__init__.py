"""One small generator per kind of change; each returns the files it wants, as data."""
