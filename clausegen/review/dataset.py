"""The results folder of a review: three Parquet tables written part by part, safe to kill at any time.

    RESULTS/
      review.json                 what made these results (clausegen version, language, library, playbook)
      files/part-*.parquet        one row per contract file: path, hash, status, language, counts
      provisions/part-*.parquet   one row per file × provision: status, confidence, evidence, values
      unreadable/part-*.parquet   one row per file that could not be read: the reason and a hint

Each save writes one part per table, each to a temporary file renamed into place, and the part in
`files/` last: it is the commit. A part in `provisions/` or `unreadable/` without its `files/` part
(the process was killed between the renames) is removed when the folder is next opened, and its
files are checked again. So the folder is always a readable dataset, and every file has exactly one
row in `files` (per content: a file whose content changed is a new row).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from clausegen.errors import InputError, UsageError

TABLES = ("files", "provisions", "unreadable")
MANIFEST = "review.json"
_LOCK = ".lock"


def schemas() -> dict:
    """Return the pyarrow schema of each table (the column names and types are part of the contract)."""
    import pyarrow as pa

    when = pa.timestamp("ms", tz="UTC")
    return {
        "files": pa.schema([
            ("path", pa.string()), ("hash", pa.string()), ("size", pa.int64()),
            ("status", pa.string()),  # ok | unreadable | duplicate (same content as a file already reviewed)
            ("language", pa.string()), ("paragraphs", pa.int32()),
            ("errors", pa.int32()), ("warnings", pa.int32()),
            ("reason", pa.string()), ("seconds", pa.float64()), ("run", pa.string()), ("recorded_at", when),
        ]),
        "provisions": pa.schema([
            ("path", pa.string()), ("hash", pa.string()), ("language", pa.string()),
            ("provision", pa.string()), ("required", pa.bool_()), ("status", pa.string()),
            ("confidence", pa.float64()), ("evidence", pa.string()),
            ("evidence_paragraph", pa.int32()), ("evidence_start", pa.int32()), ("evidence_end", pa.int32()),
            ("evidence_location", pa.string()), ("evidence_count", pa.int32()), ("values", pa.string()),
        ]),
        "unreadable": pa.schema([
            ("path", pa.string()), ("hash", pa.string()), ("reason", pa.string()), ("hint", pa.string()),
            ("run", pa.string()), ("recorded_at", when),
        ]),
    }


def _key(path: str, digest: str | None) -> bytes:
    """Return a compact key for one file's content at one path (what "already reviewed" means)."""
    return hashlib.blake2b(f"{path}\0{digest or ''}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _folder_error(out: Path, exc: OSError) -> InputError:
    reason = exc.strerror or str(exc)
    return InputError(f"cannot write the results folder: {reason}", path=str(out),
                      hint="choose a folder you can write to with --out (it is created if missing)")


class ResultStore:
    """An open results folder: what it already holds, and the rows waiting to be saved.

    Raises InputError when `out` cannot be created or written, UsageError when it holds something
    other than review results, or results made with other options, or another review writes to it.
    """

    def __init__(self, out: str | Path, options: dict) -> None:
        out = Path(out)
        self.out = out
        try:
            if out.exists() and not out.is_dir():
                raise UsageError("the results folder is a file", path=str(out),
                                 hint="name a folder with --out, e.g. --out results/")
            out.mkdir(parents=True, exist_ok=True)
            manifest = out / MANIFEST
            if not manifest.exists() and any(p for p in out.iterdir() if not p.name.startswith(".")):
                raise UsageError("the folder is not empty and holds no review results (no review.json)",
                                 path=str(out), hint="name a new or empty folder with --out")
            for table in TABLES:
                (out / table).mkdir(exist_ok=True)
            self._lock()
            self._check_manifest(manifest, options)
        except OSError as exc:
            raise _folder_error(out, exc) from None
        self.run = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{os.getpid()}"
        self._seq = 0
        self._rows: dict[str, list] = {t: [] for t in TABLES}
        self.pending_files = 0
        self.saved_files = 0
        self._remove_uncommitted()
        self.hashes: set[bytes] = set()  # contents with a result (ok or unreadable)
        self.keys: set[bytes] = set()  # (path, content) pairs with a row in `files`
        self.previous = self._load_done()

    # ------------------------------------------------------------------ opening

    def _lock(self) -> None:
        import fcntl

        self._lock_fd = os.open(self.out / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise UsageError("another review is writing to this results folder", path=str(self.out),
                             hint="wait for it to finish, or name another folder with --out") from None

    def _check_manifest(self, manifest: Path, options: dict) -> None:
        from clausegen import __version__

        wanted = {k: options.get(k) for k in ("lang", "library", "playbook")}
        if manifest.exists():
            try:
                had = json.loads(manifest.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise UsageError("review.json in the results folder is damaged", path=str(manifest),
                                 hint="name a new folder with --out") from None
            differ = [f"{k} {had.get('options', {}).get(k)!r} (now {v!r})"
                      for k, v in wanted.items() if had.get("options", {}).get(k) != v]
            if differ:
                raise UsageError("these results were made with other options: " + ", ".join(differ),
                                 path=str(self.out),
                                 hint="run with the same options to go on, or name a new folder with --out")
            return
        from clausegen.outputs import write_atomic

        data = {"format": "clausegen-review", "version": 1, "clausegen": __version__, "options": wanted}
        write_atomic(manifest, (json.dumps(data, indent=2) + "\n").encode())

    def _remove_uncommitted(self) -> None:
        """Delete parts whose commit (the part in `files/`) never happened, and killed writers' temporaries."""
        committed = {p.name for p in (self.out / "files").glob("part-*.parquet")}
        for table in TABLES:
            for p in (self.out / table).iterdir():
                stale = p.name.startswith(".") and p.name.endswith(".tmp")
                orphan = table != "files" and p.name.startswith("part-") and p.name not in committed
                if stale or orphan:
                    p.unlink(missing_ok=True)

    def _load_done(self) -> int:
        """Fill the sets of what is already reviewed from `files/`; return how many rows it holds."""
        import pyarrow.dataset as ds

        n = 0
        for batch in ds.dataset(self.out / "files", format="parquet", schema=schemas()["files"]).to_batches(
                columns=["path", "hash", "status"]):
            for path, digest, status in zip(*(c.to_pylist() for c in batch.columns)):
                n += 1
                self.keys.add(_key(path, digest))
                if digest and status in ("ok", "unreadable"):
                    self.hashes.add(bytes.fromhex(digest))
        return n

    # ------------------------------------------------------------------ recording

    def seen(self, path: str, digest: str | None) -> bool:
        """Return whether `path` with this content already has its row."""
        return _key(path, digest) in self.keys

    def add(self, record: dict) -> None:
        """Queue the rows of one checked file (`record` from clausegen.review.tasks.review_batch)."""
        now = int(time.time() * 1000)  # milliseconds since the epoch (the timestamp columns)
        path, digest = record["path"], record.get("hash")
        status = record["status"]
        self._rows["files"].append({
            "path": path, "hash": digest, "size": record.get("size"), "status": status,
            "language": record.get("language"), "paragraphs": record.get("paragraphs"),
            "errors": record.get("errors"), "warnings": record.get("warnings"),
            "reason": record.get("reason"), "seconds": record.get("seconds"), "run": self.run,
            "recorded_at": now,
        })
        if status == "unreadable":
            self._rows["unreadable"].append({"path": path, "hash": digest, "reason": record.get("reason"),
                                             "hint": record.get("hint"), "run": self.run, "recorded_at": now})
        for p in record.get("provisions") or ():
            self._rows["provisions"].append({"path": path, "hash": digest, "language": record.get("language"), **p})
        self.keys.add(_key(path, digest))
        if digest and status != "duplicate":
            self.hashes.add(bytes.fromhex(digest))
        self.pending_files += 1

    def add_duplicate(self, path: str, digest: str, size: int) -> None:
        """Queue the row of a file whose content was already reviewed under another path."""
        self.add({"path": path, "hash": digest, "size": size, "status": "duplicate",
                  "reason": "same content as another file in the results (same hash)"})

    def save(self) -> None:
        """Write the queued rows as one new part per table; `files/` last (the commit).

        Raises InputError when the folder can no longer be written (disk full…): rows saved
        before stay, the queued ones are checked again by the next run.
        """
        if not self.pending_files:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._seq += 1
        name = f"part-{self.run}-{self._seq:06d}.parquet"
        try:
            for table in ("provisions", "unreadable", "files"):
                rows = self._rows[table]
                if not rows and table != "files":
                    continue
                schema = schemas()[table]
                data = pa.Table.from_pylist(rows, schema=schema)
                final = self.out / table / name
                tmp = final.with_name(f".{name}.{os.getpid()}.tmp")
                pq.write_table(data, tmp, compression="zstd")
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, final)
        except OSError as exc:
            raise _folder_error(self.out, exc) from None
        self.saved_files += self.pending_files
        self.pending_files = 0
        self._rows = {t: [] for t in TABLES}

    def close(self) -> None:
        """Release the folder (the rows not saved are dropped)."""
        try:
            os.close(self._lock_fd)
        except OSError:
            pass


def read_table(results: str | Path, table: str, columns: list | None = None):
    """Return `table` ("files", "provisions" or "unreadable") of the results folder as a pyarrow Table.

    Raises InputError when `results` is not a review results folder.
    """
    import pyarrow.dataset as ds

    results = Path(results)
    if not (results / MANIFEST).is_file() or not (results / table).is_dir():
        raise InputError("not a review results folder (no review.json)", path=str(results),
                         hint="name the folder given to `clausegen review --out`")
    return ds.dataset(results / table, format="parquet", schema=schemas()[table]).to_table(columns=columns)
