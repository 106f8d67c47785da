"""Turn a ResourceSpec into ready-made template slots.

Type mapping, defaults, constraints and imports are decided here, in Python;
the templates beside ``templates/resource`` only lay the lines out. Every
user value reaches the output through ``values.literal`` (a Python literal
built with ``repr``), never pasted as an expression.

The slots of each artifact are built in its own module here (``values``, ``model``,
``migration``, ``schemas``, ``service``, ``router``, ``tests``); this module gathers
them for the generators."""

from __future__ import annotations

from scaffold.generate.migration import migration_context
from scaffold.generate.model import model_context
from scaffold.generate.router import router_context
from scaffold.generate.schemas import Include, includes_of, schemas_context
from scaffold.generate.service import service_context
from scaffold.generate.tests import factory_context, tests_context

__all__ = [
    "Include",
    "factory_context",
    "includes_of",
    "migration_context",
    "model_context",
    "router_context",
    "schemas_context",
    "service_context",
    "tests_context",
]
