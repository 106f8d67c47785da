"""``python -m scaffold``."""

from scaffold.cli.runner import main

main()
