"""``scaffold check``: lint any FastAPI project against the standing orders.

Standard library only at import time; Alembic runs in a subprocess.

>>> from pathlib import Path
>>> from scaffold.checks import CheckConfig, run_checks
>>> for finding in run_checks(Path("."), CheckConfig.from_pyproject(Path("."))):
...     print(finding.format())  # doctest: +SKIP
app/api/items.py:14:5: SC201 router queries the database (session.execute()); ...
"""

from scaffold.checks._catalogue import RULES
from scaffold.checks._config import CheckConfig
from scaffold.checks._finding import Finding
from scaffold.checks.runner import run_checks

__all__ = ["RULES", "CheckConfig", "Finding", "run_checks"]
