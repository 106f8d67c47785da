"""The ``scaffold`` command line: thin typer wrappers around ``scaffold.commands``.

The app lives in ``root``; importing the command modules registers their commands in
the order ``scaffold --help`` lists them. Heavy modules (copier, jinja2, libcst, ruff's
runner) are imported inside the commands that need them, so ``scaffold --help`` stays
fast.
"""

from __future__ import annotations

from scaffold.cli.root import app

# The order of these imports is the order in which `scaffold --help` lists the commands.
# isort: off
from scaffold.cli import make
from scaffold.cli import change
from scaffold.cli import tools

# isort: on

__all__ = ["app", "change", "make", "tools"]
