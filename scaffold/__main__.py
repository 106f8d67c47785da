"""``python -m scaffold``."""

from scaffold.runner import main

main()
