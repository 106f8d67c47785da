"""Parse, then format every rendered module with ruff, in memory, in two calls for all files.

The project's own ruff configuration is used, so a re-run is ``identical``
byte for byte with what ``ruff format`` would leave in the project.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import tempfile
from pathlib import Path

from scaffold.errors import ScaffoldError


class RenderError(ScaffoldError):
    """A rendered module is not valid Python, or ruff refused it (a scaffold bug)."""


def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin

    return os.fsdecode(find_ruff_bin())


def project_ruff_config(root: Path) -> Path | None:
    for name in ("ruff.toml", ".ruff.toml"):
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "[tool.ruff" in pyproject.read_text(
        encoding="utf-8", errors="replace"
    ):
        return pyproject
    return None


def project_first_party(root: Path) -> tuple[str, ...]:
    """What the project's ruff takes for first-party imports when it runs in the project:
    its ``known-first-party`` setting and the top-level packages and modules of the project
    folder and its ``src/`` (as ruff detects them). Rendered files are formatted outside
    the project, where ruff sees neither."""
    import tomllib

    names: set[str] = set()
    config = project_ruff_config(root)
    if config is not None:
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8", errors="replace"))
        except tomllib.TOMLDecodeError:
            data = {}
        ruff = data.get("tool", {}).get("ruff", {}) if config.name == "pyproject.toml" else data
        for isort in (ruff.get("lint", {}).get("isort", {}), ruff.get("isort", {})):
            names.update(isort.get("known-first-party", []))
    for base in (root, root / "src"):
        if not base.is_dir():
            continue
        for entry in base.iterdir():
            # Packages (an ``alembic/`` folder of migrations is not the alembic package).
            if entry.name.isidentifier() and (entry / "__init__.py").is_file():
                names.add(entry.name)
            elif entry.suffix == ".py" and entry.stem.isidentifier():
                names.add(entry.stem)
    return tuple(sorted(names))


def check_syntax(files: dict[str, str]) -> None:
    for path, text in files.items():
        if path.endswith(".py"):
            try:
                ast.parse(text, filename=path)
            except SyntaxError as exc:
                from scaffold.checks._parse import parse

                if parse(text, path, None).tree is not None:
                    continue  # a project's file in a newer grammar (its registry, edited)
                raise RenderError(
                    f"Rendering {path} produced invalid Python (line {exc.lineno}: {exc.msg}); nothing was written. "
                    "This is a scaffold bug or a template override error.",
                    token=path,
                ) from None


def format_python(
    files: dict[str, str], root: Path, first_party: tuple[str, ...] = ("app", "tests")
) -> tuple[dict[str, str], str]:
    """``files`` with every ``.py`` text fixed (imports) and formatted by ruff, plus the
    lint findings ruff could not fix (empty when the rendered code is clean)."""
    check_syntax(files)
    python = {p: t for p, t in files.items() if p.endswith(".py")}
    if not python:
        return dict(files), ""
    config = project_ruff_config(root)
    ruff = ruff_binary()
    with tempfile.TemporaryDirectory(prefix="scaffold-fmt-") as tmp:
        for rel, text in python.items():
            target = Path(tmp, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        config_args = ["--config", str(config)] if config else []
        # Files are formatted outside the project, where ruff cannot see which
        # top-level packages are first-party: say it, so imports sort the same.
        config_args += ["--config", f"lint.isort.known-first-party = {list(first_party)!r}"]

        def ruff_run(*args: str) -> str:
            proc = subprocess.run(
                [ruff, *args, "--no-cache", *config_args, "."],
                cwd=tmp,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise RenderError(
                    f"ruff {args[0]} failed on the rendered files: {proc.stderr.strip()[:500]}"
                )
            return proc.stdout.strip()

        def read_all() -> dict[str, str]:
            return {rel: Path(tmp, rel).read_text(encoding="utf-8") for rel in python}

        # Format first so line-length findings speak of the final layout; then fix
        # what the linter can (imports) and report what is left.
        ruff_run("format", "--quiet")
        formatted = read_all()
        lint = ruff_run("check", "--fix", "--exit-zero", "--quiet", "--output-format", "concise")
        fixed = read_all()
        if fixed != formatted:
            ruff_run("format", "--quiet")
            fixed = read_all()
        if "E501" in lint:
            # A project with shorter lines than the templates': docstrings, comments and
            # strings the formatter cannot break are wrapped, then checked again.
            refit = fit_long_lines(fixed, lint)
            if refit != fixed:
                for rel, text in refit.items():
                    Path(tmp, rel).write_text(text, encoding="utf-8")
                ruff_run("format", "--quiet")
                fixed = read_all()
                lint = ruff_run("check", "--exit-zero", "--quiet", "--output-format", "concise")
        out = {**files, **fixed}
    return out, lint


_TOO_LONG = re.compile(r"^(.+?):(\d+):\d+: E501 Line too long \(\d+ > (\d+)\)", re.M)


def fit_long_lines(files: dict[str, str], lint: str) -> dict[str, str]:
    """Wrap the lines ruff reports as too long where wrapping keeps the meaning: a one-line
    docstring, a line of a docstring (its first and last included), a comment, a plain
    string literal on its own line or as a keyword argument (split into adjacent literals
    inside brackets)."""
    flagged: dict[str, dict[int, int]] = {}
    for path, line, limit in _TOO_LONG.findall(lint):
        flagged.setdefault(path.removeprefix("./"), {})[int(line)] = int(limit)
    out = dict(files)
    for rel, lines_limits in flagged.items():
        if rel not in files:
            continue
        lines = files[rel].split("\n")
        strings = _string_lines(files[rel])
        for number in sorted(lines_limits, reverse=True):
            new = _refit(lines[number - 1], strings.get(number), lines_limits[number])
            if new is not None:
                lines[number - 1 : number] = new
        out[rel] = "\n".join(lines)
    return out


def _refit(line: str, inside: str | None, limit: int) -> list[str] | None:
    """``line`` as lines within ``limit``, or None where wrapping would change the code.
    ``inside`` says where the line is in a multi-line string (first, doc, last)."""
    import textwrap

    indent = line[: len(line) - len(line.lstrip())]
    width = limit - len(indent)

    def wrap(text: str, at: int) -> list[str]:
        return textwrap.wrap(text, at, break_long_words=False)

    stripped = line.strip()
    one_line_doc = re.fullmatch(r'"""(.+)"""', stripped)
    if one_line_doc and '"""' not in one_line_doc.group(1):
        body = one_line_doc.group(1)
        # Two lines at least: ruff format puts a lone closing quote back on one line.
        pieces = wrap(body, min(width - 3, -(-len(body) // 2) + 8))
        return [
            indent + '"""' + pieces[0],
            *(indent + p for p in pieces[1:-1]),
            indent + pieces[-1] + '"""',
        ]
    if inside == "first" and stripped.startswith('"""'):
        pieces = wrap(stripped[3:], width - 3)
        return [indent + '"""' + pieces[0], *(indent + p for p in pieces[1:])] if pieces else None
    if inside == "last" and stripped.endswith('"""') and '"""' not in stripped[:-3]:
        pieces = wrap(stripped[:-3], width - 3)
        return [*(indent + p for p in pieces[:-1]), indent + pieces[-1] + '"""'] if pieces else None
    if stripped.startswith("#"):
        text = stripped.lstrip("#").strip()
        rule = re.fullmatch(r"(.*?)([-=*~#_])\2{3,}", text)
        if rule and len(rule.group(1)) + 6 <= width:  # a ruled heading: its rule shortened
            return [indent + ("# " + text)[:width]]
        return [indent + "# " + b for b in wrap(text, width - 2)]
    if inside == "doc":
        return [indent + b for b in wrap(stripped, width)]
    literal = re.fullmatch(r'(\w+=)?f?"([^"\\{}]*)"(,?)', stripped)
    if literal is None:
        return None
    keyword, text, comma = literal.groups()
    if keyword and not comma:
        return None  # maybe the first of implicitly concatenated pieces: left as it is
    inner = 4 if keyword else 0
    pieces = textwrap.wrap(text, width - inner - 2, drop_whitespace=False, break_long_words=False)
    if len(pieces) < 2 and not keyword:
        return None
    # In brackets of its own a keyword's value gets a line of its own (ruff format joins
    # adjacent pieces again where they fit on one line, and keeps the brackets).
    quoted = [indent + " " * inner + f'"{piece}"' for piece in pieces]
    if keyword:
        return [indent + keyword + "(", *quoted, indent + ")" + comma]
    quoted[-1] += comma
    return quoted


def _string_lines(text: str) -> dict[int, str]:
    """Where each line of a multi-line string is: "first", "doc" (inside) or "last"."""
    import io
    import tokenize

    inside: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.start[0] != token.end[0]:
                inside[token.start[0]] = "first"
                for number in range(token.start[0] + 1, token.end[0]):
                    inside[number] = "doc"
                inside[token.end[0]] = "last"
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside


def ruff_stdin(root: Path, rel: str, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``ruff ARGS`` on ``text`` as if it were the project's file ``rel`` (its config applies)."""
    config = project_ruff_config(root)
    config_args = ["--config", str(config)] if config else []
    return subprocess.run(
        [ruff_binary(), *args, "--no-cache", *config_args, "--stdin-filename", rel, "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )
