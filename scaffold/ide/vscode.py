"""``.vscode/tasks.json``: scaffold's commands as VS Code tasks, merged into the user's file.

Why ``"type": "process"`` and not ``"shell"``
-------------------------------------------

A shell task joins ``command`` and ``args`` into one command line for the user's
shell, *after* substituting ``${input:…}`` with what the user typed. VS Code's
quoting modes (``terminalTaskSystem.ts``, ``_buildShellCommandLine``) do not make
that safe for arbitrary text:

* ``strong`` wraps the value in ``'…'`` (bash, zsh, PowerShell) without escaping
  a ``'`` inside it, so a mission sentence such as ``don't touch contacts``
  ends the quote and the rest is parsed by the shell;
* ``weak`` wraps it in ``"…"``, inside which ``$(…)`` and backticks still run;
* ``escape`` only escapes space, ``"`` and ``'`` -- ``;``, ``|``, ``&``, ``$`` and
  backticks pass through (``add a priority enum low|medium|high to tasks`` is a
  sentence we must accept, and under a shell it is a pipeline);
* a plain string argument is left unquoted when it contains no space.

None of the modes splits a value on spaces either (strong, weak and escape all
keep it one word), so a shell task buys nothing for the field list. A process
task hands ``args`` to the executable as an argv array with no shell in between:
every ``${input:…}`` is exactly one argument, whatever it contains.

Consequence for ``scaffold resource``: the fields the user types
(``resident_id week_start:date min_hours:int``) arrive as ONE argument. VS Code
cannot split an input into several arguments without a shell, so the CLI splits
each FIELD argument on whitespace (field tokens never contain whitespace; an empty
answer is then no fields at all).

Merging
-------

The user's file is JSONC (``//`` and ``/* */`` comments, trailing commas). We keep
every task and input that is not ours, in order, and every other top-level key; our
tasks replace same-labelled ones in place or are appended. When nothing has to
change the original text is returned untouched, so its comments survive; when the
file must change it is rewritten as plain JSON and the comments are lost.
"""

from __future__ import annotations

import json
from typing import Any

TASKS_PATH = ".vscode/tasks.json"
VERSION = "2.0.0"

# A problem matcher regexp is a JavaScript RegExp; this one stays in the subset that
# means the same in Python's ``re`` (tests run it there). Groups: file, line,
# column, code, severity, message -- the ``Finding.format()`` line of ``scaffold check``.
CHECK_REGEXP = r"^(\S.*?):(\d+):(\d+): ([A-Z]+[0-9]+) (error|warning|info): (.+)$"


def _task(label: str, detail: str, args: list[str], matcher: Any = None) -> dict[str, Any]:
    return {
        "label": label,
        "detail": detail,
        "type": "process",
        "command": "scaffold",
        "args": args,
        # An empty list stops VS Code asking which matcher to scan the output with.
        "problemMatcher": [] if matcher is None else matcher,
    }


_CHECK_MATCHER = {
    "owner": "scaffold",
    "source": "scaffold",
    "fileLocation": ["relative", "${workspaceFolder}"],
    "severity": "warning",
    "pattern": {
        "regexp": CHECK_REGEXP,
        "file": 1,
        "line": 2,
        "column": 3,
        "code": 4,
        "severity": 5,
        "message": 6,
    },
}

_TASKS: tuple[dict[str, Any], ...] = (
    _task(
        "scaffold: new resource",
        "scaffold resource NAME FIELD... -- a table and all six layers",
        ["resource", "${input:resourceName}", "${input:resourceFields}"],
    ),
    _task(
        "scaffold: add endpoint",
        'scaffold endpoint "METHOD /api/v1/PATH" -- one route on an existing resource',
        ["endpoint", "${input:endpointSpec}"],
    ),
    _task(
        "scaffold: run mission",
        'scaffold mission "SENTENCE" -- plan and apply a change stated in English',
        ["mission", "${input:missionSentence}"],
    ),
    _task(
        "scaffold: add missing indexes",
        "scaffold index --missing -- one migration indexing foreign keys and filters",
        ["index", "--missing"],
    ),
    _task(
        "scaffold: check",
        "scaffold check -- lint the project against the standing orders",
        ["check"],
        _CHECK_MATCHER,
    ),
    _task(
        "scaffold: report",
        "scaffold report --last -- the Platform Coordination Report of the last change",
        ["report", "--last"],
    ),
)

_INPUTS: tuple[dict[str, Any], ...] = (
    {
        "id": "resourceName",
        "type": "promptString",
        "description": "Table name, plural snake_case",
        "default": "weekly_requirements",
    },
    {
        "id": "resourceFields",
        "type": "promptString",
        "description": "Fields separated by spaces: name[:type[=ARGS]][:modifier[=VALUE]]...",
        "default": "resident_id:ref=residents:ondelete=cascade week_start:date min_hours:int:min=0",
    },
    {
        "id": "endpointSpec",
        "type": "promptString",
        "description": "Method and path of the new route",
        "default": "GET /api/v1/residents/{id}/weekly-requirements",
    },
    {
        "id": "missionSentence",
        "type": "promptString",
        "description": "The change, in one English sentence",
        "default": "add shifts table with resident_id, starts_at datetime and ends_at datetime",
    },
)

TASK_LABELS: tuple[str, ...] = tuple(task["label"] for task in _TASKS)
_INPUT_IDS: tuple[str, ...] = tuple(item["id"] for item in _INPUTS)


def vscode_tasks(existing_text: str | None, *, path: str = TASKS_PATH) -> str:
    """Return the new text of ``.vscode/tasks.json`` given its current text (or None).

    User tasks and inputs stay, in their order; ours are replaced in place or
    appended. If nothing changes, ``existing_text`` is returned as is (comments
    included). Raises ``ValueError`` naming ``path`` and the line when the file is
    not JSONC we can merge into.

    >>> text = vscode_tasks('{"version": "2.0.0", "tasks": [{"label": "build"}]}')
    >>> [task["label"] for task in json.loads(text)["tasks"]][:2]
    ['build', 'scaffold: new resource']
    >>> vscode_tasks(text) == text
    True
    """
    data = _load(existing_text, path)
    merged = _merge(data, path)
    if existing_text is not None and merged == data:
        return existing_text
    return json.dumps(merged, indent=2, ensure_ascii=False) + "\n"


def _merge(data: dict[str, Any], path: str) -> dict[str, Any]:
    version = data.get("version", VERSION)
    if version != VERSION:
        raise ValueError(
            f"{path}: tasks.json version {version!r} is not supported; scaffold writes "
            f'version "{VERSION}" tasks. Convert the file (VS Code: "Tasks: Configure Task") '
            "and run again."
        )
    # The user's key order is kept; a file without a version gets it first.
    merged = dict(data) if "version" in data else {"version": VERSION, **data}
    merged["tasks"] = _merge_list(data.get("tasks"), _TASKS, "label", "tasks", path)
    merged["inputs"] = _merge_list(data.get("inputs"), _INPUTS, "id", "inputs", path)
    return merged


def _merge_list(
    current: Any, ours: tuple[dict[str, Any], ...], key: str, name: str, path: str
) -> list[Any]:
    if current is None:
        current = []
    if not isinstance(current, list):
        raise ValueError(f'{path}: "{name}" must be a JSON array, found {type(current).__name__}.')
    by_key = {item[key]: item for item in ours}
    result: list[Any] = []
    placed: set[str] = set()
    for item in current:
        mine = item.get(key) if isinstance(item, dict) else None
        if isinstance(mine, str) and mine in by_key:
            if mine not in placed:  # a duplicate of ours is dropped, not kept twice
                result.append(by_key[mine])
                placed.add(mine)
            continue
        result.append(item)
    result.extend(item for item in ours if item[key] not in placed)
    return result


def _load(text: str | None, path: str) -> dict[str, Any]:
    if text is None:
        return {}
    cleaned = _strip_jsonc(text.removeprefix("\ufeff"), path)
    if not cleaned.strip():
        return {}
    try:
        data = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}). "
            "Fix or remove the file and run again; nothing was written."
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: line 1: the file must hold a JSON object.")
    return data


def _strip_jsonc(text: str, path: str) -> str:
    """Blank out comments and trailing commas, keeping every other character in place.

    Replacing with spaces (newlines kept) means a later JSON error still points at
    the line and column of the original file.

    >>> _strip_jsonc('{"u": "http://x", // c\\n "a": [1,],}', "t")
    '{"u": "http://x",     \\n "a": [1 ] }'
    """
    out = _blank_comments(text, path)
    return _blank_trailing_commas(out)


def _string_end(text: str, i: int) -> int:
    """The index just past the JSON string that opens at ``text[i]``."""
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return i


def _blank_comments(text: str, path: str) -> str:
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            i = _string_end(text, i)
        elif text.startswith("//", i):
            while i < n and text[i] not in "\r\n":
                out[i] = " "
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                line = text.count("\n", 0, i) + 1
                raise ValueError(f"{path}: line {line}: a /* comment is never closed.")
            for j in range(i, end + 2):
                if text[j] not in "\r\n":
                    out[j] = " "
            i = end + 2
        else:
            i += 1
    return "".join(out)


def _blank_trailing_commas(text: str) -> str:
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            i = _string_end(text, i)
            continue
        if text[i] == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "]}":
                out[i] = " "
        i += 1
    return "".join(out)
