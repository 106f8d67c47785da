"""The two passes over the files (facts, then rules), in this process or, for a cold run
with many files, in forked worker processes that keep their trees between the passes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.checks._finding import Finding
from scaffold.checks._per_file import FileFacts, facts_of, lint
from scaffold.checks._reading import parse_file, read

if TYPE_CHECKING:
    from scaffold.checks._calls import CallFacts
    from scaffold.checks.rules import Module, Project

Linted = dict[str, tuple[list[Finding], "CallFacts | None"]]

PARALLEL_FROM = 200  # files to parse before worker processes pay for themselves


class Shard:
    """A set of files one process parses and lints, keeping its trees between passes."""

    def __init__(self, root: Path, target: tuple[int, int] | None) -> None:
        self.root = root
        self.target = target
        self.modules: dict[str, Module] = {}

    def facts(
        self, jobs: list[tuple[str, str, frozenset[str]]], contents: dict[str, bytes] | None = None
    ) -> dict[str, FileFacts]:
        out: dict[str, FileFacts] = {}
        for path, digest, kinds in jobs:
            data = (contents or {}).get(path)
            if data is None:
                data, _ = read(self.root, path)
            facts, module = facts_of(path, data or b"", digest, kinds, self.target)
            out[path] = facts
            if module is not None:
                self.modules[path] = module
        return out

    def lint(self, project: Project, jobs: list[tuple[str, frozenset[str]]]) -> Linted:
        out: Linted = {}
        for path, kinds in jobs:
            module = self.modules.get(path)
            if module is None:
                data, _ = read(self.root, path)
                tree, lines, error, _ = parse_file(path, data or b"", self.target)
                if tree is None:
                    out[path] = ([error] if error else [], None)
                    continue
                from scaffold.checks.rules import Module

                module = Module(path, tree, lines, kinds)
            out[path] = lint(module, project)
        return out


def _worker(connection, root: Path, target, contents) -> None:  # type: ignore[no-untyped-def]
    shard = Shard(root, target)
    try:
        connection.send(shard.facts(connection.recv(), contents))
        project, jobs = connection.recv()
        connection.send(shard.lint(project, jobs))
    except (EOFError, BrokenPipeError):
        pass
    finally:
        connection.close()
    os._exit(0)


class Pool:
    """The main process plus forked workers, each with a shard of the files."""

    def __init__(self, root: Path, target, size: int, contents: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
        """``contents`` (the bytes already read) reach the forked workers for free."""
        import multiprocessing

        self.local = Shard(root, target)
        self.parsed_by: dict[str, int] = {}
        self.workers = []
        context = multiprocessing.get_context("fork")
        for _ in range(size - 1):
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker, args=(child, root, target, contents), daemon=True
            )
            process.start()
            child.close()
            self.workers.append((process, parent))

    def _split(self, jobs: list) -> list[list]:  # type: ignore[type-arg]
        count = len(self.workers) + 1
        return [jobs[i::count] for i in range(count)]

    def facts(
        self, jobs: list[tuple[str, str, frozenset[str]]], contents: dict[str, bytes]
    ) -> dict[str, FileFacts]:
        shards = self._split(jobs)
        self.parsed_by = {job[0]: i for i, shard in enumerate(shards) for job in shard}
        for (_, connection), shard in zip(self.workers, shards[1:], strict=True):
            connection.send(shard)
        out = self.local.facts(shards[0], contents)
        for _, connection in self.workers:
            out.update(connection.recv())
        return out

    def lint(self, project: Project, jobs: list[tuple[str, frozenset[str]]]) -> Linted:
        # Each file is linted where it was parsed; the others are spread evenly.
        owners: list[list[tuple[str, frozenset[str]]]] = [[] for _ in range(len(self.workers) + 1)]
        spread = []
        for job in jobs:
            shard = self.parsed_by.get(job[0])
            if shard is None:
                spread.append(job)
            else:
                owners[shard].append(job)
        for i, extra in enumerate(self._split(spread)):
            owners[i].extend(extra)
        for (_, connection), shard in zip(self.workers, owners[1:], strict=True):
            connection.send((project, shard))
        out = self.local.lint(project, owners[0])
        for _, connection in self.workers:
            out.update(connection.recv())
        return out

    def close(self) -> None:
        for process, connection in self.workers:
            connection.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


def pool(root: Path, target, jobs: int, contents: dict[str, bytes]):  # type: ignore[no-untyped-def]
    """Forked workers for ``jobs`` files to parse, or None when one process is enough."""
    cores = os.cpu_count() or 1
    if jobs < PARALLEL_FROM or cores < 2 or sys.platform != "linux":
        return None
    try:
        return Pool(root, target, min(cores, 4), contents)
    except (OSError, ValueError):
        return None
