"""An interpreter's environment by stat: its file, the sys.path variables and directories.

Why a module of its own: the result cache (cache_env.py) and the instant replay (replay.py) both
decide "nothing was installed or removed" this way, and the replay runs before anything heavy is
imported. Installing, removing or upgrading a distribution adds, removes or renames an entry in
one of the interpreter's `sys.path` directories, which changes that directory's stat.
"""

from __future__ import annotations

import hashlib
import os

# Variables that change what an interpreter puts on sys.path.
PATH_VARIABLES = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONNOUSERSITE",
    "PYTHONSAFEPATH",
    "PYTHONUSERBASE",
    "PYTHONPLATLIBDIR",
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stat_of(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def stamp(python: str, directories: list[str]) -> str:
    """The interpreter's file, the sys.path variables and each listed directory, by stat."""
    parts = [python, stat_of(os.path.realpath(python))]
    parts += [f"{name}={os.environ.get(name)}" for name in PATH_VARIABLES]
    parts += [f"{d}:{stat_of(d)}" for d in directories]
    return _sha("\n".join(parts))
