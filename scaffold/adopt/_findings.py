"""What reading a project finds: its tables, its routes, and the profile with the
sentences that explain it (found, assumed, cannot be supported)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Model:
    class_name: str
    module: str
    rel: str
    table: str
    key: str = "id"
    key_type: str = "int"


@dataclass
class Route:
    method: str
    path: str
    module: str
    handler: str
    body_model: str | None  # "module:Class"
    deps: set[str] = field(default_factory=set)


@dataclass
class Findings:
    profile: dict[str, Any] = field(default_factory=dict)
    found: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    refusal: str | None = None  # why the project cannot be adopted
    refusal_fix: str | None = None
    models: list[Model] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    head: str | None = None

    def refuse(self, refusal: str, fix: str) -> Findings:
        """The project cannot be adopted: why, and what would make it adoptable."""
        self.refusal = refusal
        self.refusal_fix = fix
        return self
