"""``scaffold check``: lint any FastAPI project against the standing orders.

Standard library only at import time (LibCST only for files with Python 3.12+
syntax); Alembic runs in a subprocess.

>>> from pathlib import Path
>>> from scaffold.checks import CheckConfig, run_checks
>>> for finding in run_checks(Path("."), CheckConfig.from_pyproject(Path("."))):
...     print(finding.format())  # doctest: +SKIP
app/api/items.py:14:5: SC201 warning: router queries the database (session.execute()); ...
"""

from scaffold.checks._catalogue import RULES, Rule
from scaffold.checks._config import CheckConfig
from scaffold.checks._finding import Finding
from scaffold.checks.runner import CheckReport, check_project, run_checks

__all__ = ["RULES", "CheckConfig", "CheckReport", "Finding", "Rule", "check_project", "run_checks"]
