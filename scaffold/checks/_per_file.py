"""What one file contributes to a run: its facts (typed names, schema classes, models),
cached by its hash, and the findings of the rules that read one file at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scaffold.checks._finding import Finding
from scaffold.checks._reading import parse_file, suppressed

if TYPE_CHECKING:  # the rules are imported only when a file has to be read again
    from scaffold.checks import indexes
    from scaffold.checks._calls import CallFacts
    from scaffold.checks._schemas import SchemaClass
    from scaffold.checks._symbols import ModuleFacts
    from scaffold.checks.rules import Module, Project

_MODEL_HINTS = ("Column", "mapped_column", "ForeignKey", "Field(", "Table(", "Index(")


@dataclass
class FileFacts:
    """What one file contributes, cached by its hash."""

    digest: str
    error: Finding | None = None
    types: ModuleFacts | None = None
    schemas: list[SchemaClass] = field(default_factory=list)
    models: indexes.ModelFacts | None = None
    rewritten: bool = False
    returned: frozenset[str] = frozenset()  # class names its routes return
    findings_key: str = ""
    findings: list[Finding] = field(default_factory=list)
    calls: CallFacts | None = None  # made with the findings, from the same facts


def facts_of(
    path: str, data: bytes, digest: str, kinds: frozenset[str], target: tuple[int, int] | None
) -> tuple[FileFacts, Module | None]:
    """The file's facts, and its parsed module for the rules (None when it does not parse)."""
    tree, lines, error, rewritten = parse_file(path, data, target)
    from scaffold.checks import indexes
    from scaffold.checks._flow import returned_names
    from scaffold.checks._schemas import schema_classes
    from scaffold.checks._symbols import ModuleFacts, module_name
    from scaffold.checks._types import Resolver
    from scaffold.checks.rules import Module

    facts = FileFacts(digest, error, rewritten=rewritten)
    if tree is None:
        facts.findings = [error] if error else []
        facts.findings_key = "error"
        return facts, None
    module = Module(path, tree, lines, kinds)
    # The typed names the module exports, resolved without other modules' facts.
    resolver = Resolver(tree, module.imports, module_name(path), None, path.endswith("__init__.py"))
    facts.types = ModuleFacts(resolver.name, resolver.absolute, resolver.exports())
    module.exports = facts.types.exports
    facts.schemas = schema_classes(tree, path, lines)
    facts.returned = frozenset(returned_names(tree))
    text = "\n".join(lines)
    if any(hint in text for hint in _MODEL_HINTS):
        models = indexes.model_facts(tree, path)
        if models.foreign_keys or models.indexes or models.models:
            facts.models = models
    return facts, module


def lint(module: Module, project: Project) -> tuple[list[Finding], CallFacts]:
    """The findings of every per-file rule for the module's layers, ``# noqa`` applied,
    and what its functions call (for the project-wide SC101)."""
    from scaffold.checks._calls import call_facts
    from scaffold.checks.rules import FILE_RULES

    findings: list[Finding] = []
    for _code, kinds, rule in FILE_RULES:
        if kinds is None or kinds & module.kinds:
            findings.extend(rule(module, project))
    kept = sorted({f for f in findings if not suppressed(f, module.lines)}, key=Finding.sort_key)
    return kept, call_facts(module, project)
