"""Mount routers found in a package, so a new router module needs no registration."""

from fastapi import APIRouter

from app.core.modules import import_submodules


def include_package_routers(router: APIRouter, package: str) -> None:
    """Include the module-level `router` of every public module of `package`, by name.

    Example: `include_package_routers(router, "app.api.v1")` mounts the router of
    `app/api/v1/weekly_requirements.py` without that file being listed anywhere.
    """
    for module in import_submodules(package):
        module_router = getattr(module, "router", None)
        if isinstance(module_router, APIRouter):
            router.include_router(module_router)
