"""Extract a `fetch`ed bare repository's HEAD into a folder, skipping absent blobs.

    .venv/bin/python bench/realworld_extract.py /work/.mirror/OWNER+NAME/repo /tmp/corpus/NAME

`git archive` stops at the first blob the snapshot does not hold (its largest files may
be listed but absent); this reads the tree with `git ls-tree` and the blobs through one
`git cat-file --batch`, and prints the paths it had to leave out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _entries(gitdir: str) -> list[tuple[bytes, bytes, str]]:
    listing = subprocess.run(
        ["git", f"--git-dir={gitdir}", "ls-tree", "-r", "-z", "HEAD"],
        capture_output=True,
        check=True,
    ).stdout
    out = []
    for record in filter(None, listing.split(b"\0")):
        meta, path = record.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind == b"blob":
            out.append((mode, oid, path.decode()))
    return out


def extract(gitdir: str, dest: Path) -> list[str]:
    """Write HEAD's files under `dest` (emptied first); return the paths left out."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    batch = subprocess.Popen(
        ["git", f"--git-dir={gitdir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert batch.stdin is not None and batch.stdout is not None
    missing = []
    for mode, oid, path in _entries(gitdir):
        batch.stdin.write(oid + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            missing.append(path)
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)  # the newline after each object
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == b"120000":
            os.symlink(data.decode(), target)
        else:
            target.write_bytes(data)
            if mode == b"100755":
                target.chmod(0o755)
    batch.stdin.close()
    batch.wait()
    return missing


if __name__ == "__main__":
    left_out = extract(sys.argv[1], Path(sys.argv[2]))
    print(f"{sys.argv[2]}: {len(left_out)} absent file(s) left out: {left_out}")
