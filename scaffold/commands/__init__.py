"""Command implementations, free of CLI parsing so missions can call them too."""
