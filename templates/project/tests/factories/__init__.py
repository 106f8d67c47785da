"""Test data factories, one module per resource (`tests/factories/<table>.py`)."""
