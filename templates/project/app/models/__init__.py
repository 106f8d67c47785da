"""Table models, one module per table (`app/models/<table>.py`).

Importing this package imports every model module, so `Base.metadata` holds every
table; Alembic's autogenerate and `alembic check` rely on that.
"""

from app.core.modules import import_submodules

import_submodules(__name__)
