"""Where the project's package is and how its files are laid out (one models file,
one folder per feature, or one folder per layer), and so where generated files go."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from scaffold.adopt._findings import Findings, Model

_SINGLE_FILES = ("models.py", "tables.py", "db.py")


@dataclass(frozen=True)
class Layout:
    kind: str  # "single-file", "features" or "layers"
    package: str
    package_dir: str
    feature_root: str
    model_files: Counter[str]
    tables: frozenset[str] = frozenset()


def learn_layout(f: Findings, models: list[Model]) -> Layout:
    """The package most models are in, and the layout of their files."""
    model_files = Counter(m.rel for m in models)
    packages = Counter(m.module.split(".")[0] for m in models)
    package = packages.most_common(1)[0][0]
    package_dir = next(
        (m.rel.split("/")[0] for m in models if m.module.split(".")[0] == package), package
    )
    if any(m.rel.startswith("src/") for m in models):
        package_dir = f"src/{package}"
    feature_files = [
        r
        for r in model_files
        if PurePosixPath(r).name == "models.py" and len(PurePosixPath(r).parts) >= 3
    ]
    if len(model_files) == 1 and PurePosixPath(next(iter(model_files))).name in _SINGLE_FILES:
        layout = "single-file"
    elif len(feature_files) >= 2 and len(feature_files) >= len(model_files) / 2:
        layout = "features"
    else:
        layout = "layers"
    f.profile["layout"] = layout
    f.profile["package"] = package
    f.found.append(
        f"{len(models)} tables in {len(model_files)} model module{'s' if len(model_files) != 1 else ''} "
        f"({layout}): " + ", ".join(f"{m.table} ({m.key_type} {m.key})" for m in models)
    )
    feature_root = (
        str(PurePosixPath(feature_files[0]).parent.parent) if layout == "features" else package_dir
    )
    tables = frozenset(m.table for m in models)
    return Layout(layout, package, package_dir, feature_root, model_files, tables)


def learn_paths(
    f: Findings,
    root: Path,
    layout: Layout,
    router_files: Counter[str],
    tests_dir: str,
    owned: frozenset[str] = frozenset(),
) -> None:
    """Where each file of a generated resource goes, and the support module; ``owned``
    are the files scaffold generated (its own ``__init__.py`` is not the project's)."""
    _layer_paths(f.profile, root, layout, router_files)
    f.profile["tests"] = _tests_path(root, tests_dir, layout.package_dir, router_files, f.profile)
    _factory_paths(f, root, tests_dir, owned)
    f.profile["support_module"] = f"{layout.package_dir}/scaffold_support.py"


def _tests_path(
    root: Path, tests_dir: str, package_dir: str, router_files: Counter[str], p: dict[str, Any]
) -> str:
    """Where a resource's tests go: where the project keeps its routers' tests when they
    mirror the routers (``app/api/routes/items.py`` -> ``tests/api/routes/test_items.py``,
    ``polar/customer/endpoints.py`` -> ``tests/customer/test_endpoints.py``), else
    ``tests_dir/test_{name}.py``."""
    mirrored = sum(
        1
        for r in router_files
        if r.startswith(package_dir + "/")
        and (root / tests_dir / _test_of(r[len(package_dir) + 1 :])).is_file()
    )
    routers = p["routers"]
    if mirrored < 2 or not routers.startswith(package_dir + "/"):
        return f"{tests_dir}/test_{{name}}.py"
    return f"{tests_dir}/{_test_of(routers[len(package_dir) + 1 :])}"


def _test_of(rel: str) -> str:
    """``api/routes/items.py`` -> ``api/routes/test_items.py``."""
    folder, _, name = rel.rpartition("/")
    return f"{folder}/test_{name}" if folder else f"test_{name}"


def _factory_paths(f: Findings, root: Path, tests_dir: str, owned: frozenset[str]) -> None:
    """The factories folder: the project's own ``factories`` package is used as it is
    (scaffold's client wrapper goes into a module of its own beside the project's
    factories); a ``factories.py`` module is never shadowed by a new package."""
    folder = f"{tests_dir}/factories"
    init = f"{folder}/__init__.py"
    if (root / f"{folder}.py").is_file() and not (root / folder).is_dir():
        folder = f"{tests_dir}/scaffold_factories"
        f.found.append(
            f"test factories in {tests_dir}/factories.py: scaffold's go to {folder}/ "
            "(a factories/ package would shadow that module)"
        )
    elif (root / init).is_file() and init not in owned:
        f.profile["test_support"] = f"{folder}/scaffold_api.py"
        f.found.append(
            f"a factories package of the project's own ({init}): generated factories go "
            f"beside its modules, the tests' client wrapper into {folder}/scaffold_api.py"
        )
    f.profile["factories"] = f"{folder}/{{name}}.py"


def _layer_paths(p: dict[str, Any], root: Path, layout: Layout, router_files: Counter[str]) -> None:
    """Models, schemas, services and routers: in the feature's folder, beside the models
    file, or in each layer's folder."""
    if layout.kind == "features":
        names = Counter(
            PurePosixPath(r).name
            for r in router_files
            if str(PurePosixPath(r).parent.parent) == layout.feature_root
        )
        router_name = names.most_common(1)[0][0] if names else "router.py"
        p["models"] = f"{layout.feature_root}/{{name}}/models.py"
        p["schemas"] = f"{layout.feature_root}/{{name}}/schemas.py"
        p["services"] = f"{layout.feature_root}/{{name}}/service.py"
        p["routers"] = f"{layout.feature_root}/{{name}}/{router_name}"
        return
    package_dir = layout.package_dir
    if layout.kind == "single-file":
        _single_file_paths(p, root, PurePosixPath(layout.model_files.most_common(1)[0][0]))
    else:
        model_dir = _per_table(_home(list(layout.model_files)), layout)
        p["models"] = f"{model_dir}/{{name}}.py"
        p["schemas"] = _layer_dir(root, package_dir, ("schemas",), "schemas") + "/{name}.py"
        p["services"] = (
            _layer_dir(root, package_dir, ("services", "crud", "repositories"), "services")
            + "/{name}.py"
        )
    feature = _feature_routers(router_files)
    if feature is not None:
        # Models in a layer, each feature's router (and service, schemas) in its folder.
        _feature_paths(p, root, *feature)
        return
    route_dir = _per_table(_home(list(router_files)), layout) if router_files else package_dir
    if route_dir in (package_dir, PurePosixPath(package_dir).parent.as_posix(), "."):
        # Routes declared in the app's own module (main.py): new routers get a folder of
        # their own, never the package root (where the support module is, too).
        route_dir = _layer_dir(root, package_dir, ("api/routes", "routers", "api"), "routers")
    p["routers"] = f"{route_dir}/{{name}}.py"


def _home(files: list[str]) -> str:
    """The folder a new file of a layer goes in: the one most of the layer's files are in,
    or, when they are spread over subfolders (``models/users/``, ``models/recipes/``...),
    the folder those share: a new table is a subject of its own, not one of another's."""
    folders = Counter(str(PurePosixPath(f).parent) for f in files)
    folder, count = folders.most_common(1)[0]
    if count * 2 > len(files) or len(files) == 1:
        return folder
    shared = os.path.commonprefix([PurePosixPath(f).parent.parts for f in files])
    return str(PurePosixPath(*shared)) if shared else folder


def _per_table(folder: str, layout: Layout) -> str:
    """``folder`` with the part that names one of the tables as ``{name}``: models kept in
    their table's own folder (``app/user/domain/entity/`` holds ``user``) are a feature's,
    and a new table gets a folder of its own shaped alike, never one inside that feature."""
    names = {t.lower() for t in layout.tables}
    names |= {n.removesuffix("s") for n in names} | {f"{n}s" for n in names}
    parts = PurePosixPath(folder).parts
    top = len(PurePosixPath(layout.package_dir).parts)
    named = [i for i, part in enumerate(parts) if i >= top and part.lower() in names]
    if len(named) != 1:
        return folder
    return "/".join("{name}" if i == named[0] else part for i, part in enumerate(parts))


def _feature_routers(router_files: Counter[str]) -> tuple[str, str] | None:
    """(folder, file name) when the routers are one file of the same name per feature
    folder (``polar/<feature>/endpoints.py``): at least three, most of that name."""
    paths = [PurePosixPath(r) for r in router_files]
    names = Counter(p.name for p in paths if p.name != "__init__.py")
    if not names:
        return None
    name, count = names.most_common(1)[0]
    folders = Counter(str(p.parent.parent) for p in paths if p.name == name)
    folder, in_folder = folders.most_common(1)[0]
    if count < 3 or in_folder < 3 or in_folder * 2 < count:
        return None
    return folder, name


def _feature_paths(p: dict[str, Any], root: Path, folder: str, router_name: str) -> None:
    """Schemas and services of a new feature: named as most of the features name them."""
    features = [d for d in (root / folder).iterdir() if (d / router_name).is_file()]
    p["routers"] = f"{folder}/{{name}}/{router_name}"
    for key, names in (
        ("schemas", ("schemas.py", "schema.py")),
        ("services", ("service.py", "services.py", "crud.py")),
    ):
        have = Counter(n for d in features for n in names if (d / n).is_file())
        chosen = have.most_common(1)[0][0] if have else names[0]
        p[key] = f"{folder}/{{name}}/{chosen}"


def _single_file_paths(p: dict[str, Any], root: Path, models_file: PurePosixPath) -> None:
    """A project with one file per layer (``app/models.py``, ``app/crud.py``): each
    layer of a new resource is a module of its own beside that layer's file, named after
    it (``app/models_weekly_requirements.py`` beside ``app/models.py``), since scaffold
    edits none of the project's files but its registries; a layer kept in a folder
    (``app/schemas/``) gets its module there."""
    folder = models_file.parent
    p["models"] = f"{folder}/{models_file.stem}_{{name}}.py"
    for key, names in (
        ("schemas", ("schemas",)),
        ("services", ("services", "crud", "repositories", "service")),
    ):
        layer = next((n for n in names if (root / folder / n).is_dir()), None)
        if layer is not None:
            p[key] = f"{folder}/{layer}/{{name}}.py"
            continue
        stem = next((n for n in names if (root / folder / f"{n}.py").is_file()), names[0])
        p[key] = f"{folder}/{stem}_{{name}}.py"


def _layer_dir(root: Path, package_dir: str, names: tuple[str, ...], default: str) -> str:
    for name in names:
        if (root / package_dir / name).is_dir():
            return f"{package_dir}/{name}"
    return f"{package_dir}/{default}"
