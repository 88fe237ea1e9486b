"""Write output files atomically, and never over an input."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from clausegen.errors import InputError, UsageError


def ensure_not_input(out: Path, inputs: list[Path]) -> None:
    """Raise UsageError if `out` names the same file as one of `inputs`."""
    out_r = Path(out).resolve()
    for inp in inputs:
        inp_p = Path(inp)
        same = out_r == inp_p.resolve()
        if not same and out_r.exists() and inp_p.exists():
            same = os.path.samefile(out_r, inp_p)
        if same:
            raise UsageError(
                f"the output {str(out)!r} is the input file; clausegen never overwrites its input",
                path=str(out),
                hint="choose another output name with -o",
            )


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    An interrupted run leaves the previous file intact. Raises InputError if the folder
    does not exist or cannot be written.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"folder {str(folder)!r} does not exist", path=str(path),
                         hint="create the folder first or choose another output path")
    if path.is_dir():
        raise UsageError(f"the output {str(path)!r} is a folder", path=str(path),
                         hint=f"name a file inside it, e.g. -o {path / ('out' + path.suffix if path.suffix else 'out.docx')}")
    _remove_stale_temps(folder, path.name)
    try:
        # The pid in the name lets a later run tell a killed writer's leftover from a live one.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write in {str(folder)!r}: {exc.strerror}", path=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        mode = 0o644
        try:
            mode = os.stat(path).st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):  # disk full, permissions: the previous file is still there
            raise InputError(f"cannot write the output: {exc.strerror or exc}; nothing was changed",
                             path=str(path)) from None
        raise


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Delete temporary files of `name` left in `folder` by writers that were killed (their pid is gone)."""
    import glob

    for leftover in glob.glob(os.path.join(glob.escape(str(folder)), f".{glob.escape(name)}.*.tmp")):
        pid = os.path.basename(leftover)[len(name) + 2:].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # the writer is gone: its half-written file is garbage
            try:
                os.unlink(leftover)
            except OSError:
                pass
        except (PermissionError, OverflowError):  # alive under another user, or not a pid
            pass
