"""Reading a codebase scaffold did not create: its modules, columns and conventions."""
