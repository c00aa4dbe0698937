"""Content hashes for versions: a file's sha256, or a stable sha256 of a directory tree."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mltrl.errors import BadInput

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_path(path: Path) -> str:
    """Hash a file, or a directory as the sorted list of (relative path, file hash).

    The directory hash changes when any file's content, name or place changes,
    and not when files are merely touched or listed in another order.
    """
    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    if not path.is_dir():
        raise BadInput(f"{path}: no such file or directory to hash")
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(b"\0")
        digest.update(sha256_file(file).encode())
        digest.update(b"\n")
    return digest.hexdigest()
