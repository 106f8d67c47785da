"""The MCP server driven in-process by the official SDK's client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any


def talk(root: Path, conversation: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``conversation(client)`` against the server of ``root``, in-process."""
    from mcp import Client

    from scaffold.mcp_server import build_server

    async def main() -> Any:
        async with Client(build_server(root)) as client:
            return await conversation(client)

    return asyncio.run(main())


def call(root: Path, tool: str, arguments: dict[str, Any]) -> Any:
    return talk(root, lambda client: client.call_tool(tool, arguments))


def text_of(result: Any) -> str:
    return " ".join(getattr(part, "text", "") for part in result.content)
