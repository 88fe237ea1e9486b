"""The web application: drafting and review pages, and the HTTP API they (and other tools) use.

The routes are thin: they parse the request, call the same library functions as the command
line (spec.validate, render.render/write, check.check_file, reporters.annotate_docx) and turn
the result or the ClausegenError into JSON with a proper status code.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from clausegen import __version__
from clausegen.errors import ClausegenError, InvalidSpec, LibraryError, Problem, SpecError

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
STATIC_DIR = Path(__file__).resolve().parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

CONTRACT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain", "")
RENDER_FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}
DOCX_TYPE = RENDER_FORMATS["docx"]
RENDER_LANGS = ("zh", "en", "bilingual")
CHECK_LANGS = ("auto", "zh", "en")

# No inline script or style anywhere: every asset is a file served by this app.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

_SPEC_BODY = {
    "required": True,
    "content": {
        "application/yaml": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object"}},
    },
}
_UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "the contract (.docx, .pdf, .txt or .md)"}}}}},
}


class BodyTooLarge(HTTPException):
    """The request body grew past the configured limit while it was being received."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is larger than the limit of {_human_size(limit)}")


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{n / 1024:.3g} KB" if n >= 1024 else f"{n} bytes"


def _json_error(status: int, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status,
                        headers={"cache-control": "no-store"})


class _Guard:
    """ASGI middleware: host and origin checks, the body size limit, security headers.

    The size limit is enforced on the bytes actually received, not only on Content-Length,
    so a chunked upload cannot slip past it.
    """

    def __init__(self, app, max_bytes: int, allowed_hosts: list[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.allowed_hosts = allowed_hosts

    def _host_ok(self, host: str) -> bool:
        if "*" in self.allowed_hosts:
            return True
        name = host.strip().lower()
        if name.startswith("["):
            name = name[1:].split("]", 1)[0]
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        return name in self.allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        started = False

        async def send_secured(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = [(k, v) for k, v in message.get("headers", [])
                       if k.decode("latin-1").lower() not in SECURITY_HEADERS]
                raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": raw}
            await send(message)

        async def reply(response: Response):
            await response(scope, receive, send_secured)

        # A page on another site must not drive this local server (DNS rebinding, CSRF).
        if not self._host_ok(headers.get("host", "")):
            return await reply(_json_error(400, "this server only answers requests addressed to "
                                                "its own host name"))
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin is not None and urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
                return await reply(_json_error(403, "cross-origin requests are not accepted"))
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                return await reply(_json_error(400, "the Content-Length header is not a number"))
            if too_big:
                return await reply(_json_error(413, str(BodyTooLarge(self.max_bytes).detail)))

        received = 0

        async def receive_limited():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, receive_limited, send_secured)
        except BodyTooLarge as exc:
            if started:
                raise
            await reply(_json_error(413, str(exc.detail)))


def _problem_dict(p: Problem) -> dict:
    d = asdict(p)
    d["formatted"] = p.format()
    return d


def _error_problem(exc: ClausegenError, file: str) -> Problem:
    return Problem(file=exc.path or file, line=exc.line, col=exc.col, pointer="",
                   message=exc.message, hint=exc.hint, code="load")


def _unique_keys(name: str):
    """Return a json object_pairs_hook that refuses duplicate keys, as the YAML loader does."""
    def hook(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise SpecError(f"duplicate key {key!r}", path=name,
                                hint="JSON keeps only the last value silently; remove one of them")
            out[key] = value
        return out
    return hook


TOO_DEEP = object()  # what a JSON body too deep for the decoder decodes to


def _json_int(digits: str):
    # Python refuses to convert integers of more than 4300 digits (ValueError, once a 500 here); such a
    # number stays the text it is, and validation says it is not a number, as the YAML loader does.
    return int(digits) if len(digits) <= 4000 else digits


def _check_depth(data, name: str) -> None:
    """Raise SpecError when `data` (TOO_DEEP: too deep to decode) nests deeper than the YAML depth limit."""
    from clausegen import limits

    limit = limits.get("yaml_depth")
    stack, too_deep = [(data, 0)], data is TOO_DEEP
    while stack and not too_deep:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            too_deep = depth > limit
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    if too_deep:
        raise SpecError("the document is nested too deeply", path=name,
                        hint=f"a spec needs only a few levels of nesting (limit {limit})")


def _safe_filename(name: str | None, default: str) -> str:
    """Return the base name of a client-supplied file name, for display and downloads only."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return base[:120] or default


@contextmanager
def _hiding_paths(tmp: str, display: str):
    """Replace the private upload folder by the client's file name in errors raised inside."""
    try:
        yield
    except ClausegenError as exc:
        for prefix in (str(Path(tmp).resolve()), str(tmp)):
            exc.message = re.sub(re.escape(prefix) + r"[/\\][^\s'\")]*", display, exc.message)
            if exc.path and str(exc.path).startswith(prefix):
                exc.path = display
        exc.args = (exc.message,)
        raise


def _content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# ---------------------------------------------------------------- work done in worker processes


def check_job(path: str, display: str, lang: str, library, context: bool, playbook: str | None = None) -> dict:
    """Return the JSON report of the contract at `path` (run in a worker process)."""
    from clausegen.check import read_and_check
    from clausegen.check.model import Report

    contract, report = read_and_check(path, lang=lang, library=library, playbook=playbook)
    result = Report(files=(report,)).to_dict()
    entry = result["files"][0]
    entry["path"] = display  # never reveal the server's temporary path
    if context:
        entry["context"] = evidence_context(contract.paragraphs, report)
    return result


def annotate_job(path: str, lang: str, library, out: str) -> bytes:
    """Return the annotated copy of the Word contract at `path` (run in a worker process)."""
    from clausegen.check import check_file
    from clausegen.reporters import annotate_docx

    report = check_file(path, lang=lang, library=library)
    annotate_docx(report, Path(path), Path(out))
    return Path(out).read_bytes()


def redline_job(path: str, lang: str, library, out: str, author: str | None, playbook: str | None) -> bytes:
    """Return the redlined copy of the Word contract at `path` (run in a worker process)."""
    from clausegen.check import check_file, load_playbook
    from clausegen.redline import redline_docx

    report = check_file(path, lang=lang, library=library, playbook=playbook)
    redline_docx(report, Path(path), Path(out), author=author, library=library,
                 playbook=load_playbook(playbook) if playbook else None)
    return Path(out).read_bytes()


@dataclass
class Settings:
    """What the routes of one application share: its clause library, the worker pool, the limits.

    Kept in `app.state.clausegen`; a route receives it through the `settings` dependency.
    """

    library: Path | str | None  # as given: the library functions take the folder (or None) as the CLI does
    family: object  # the library's clause family (clausegen.library.Family)
    pool: object  # clausegen.check.workers.WorkerPool
    max_upload_bytes: int
    serving: int = 0  # lifespans running (a test may open several clients on one app)


def settings(request: Request) -> Settings:
    """Return the Settings of the application answering `request` (a FastAPI dependency)."""
    return request.app.state.clausegen


SettingsDep = Annotated[Settings, Depends(settings)]
router = APIRouter()


def create_app(library: Path | str | None = None, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
               allowed_hosts: list[str] | None = None, workers: int | None = None) -> FastAPI:
    """Return the web application using the clause library at `library` (None: the default one).

    `max_upload_bytes` caps every request body (413 beyond it). `allowed_hosts` lists the
    Host header names answered (default: loopback names only; ["*"] for any). Contracts are
    checked in `workers` worker processes (default: two, one on a single CPU), each check under
    the check_seconds limit, so that a slow upload never holds up the server.
    Raises LibraryError if `library` is unusable.
    """
    from clausegen.check.workers import WorkerPool, default_size
    from clausegen.library import load_library

    lib = load_library(library)  # fail at start-up, not on the first request
    # Spawned, not forked: this process runs threads (the event loop, the thread pool).
    pool = WorkerPool(workers or default_size(), "spawn")
    app = FastAPI(title="clausegen", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", lifespan=_lifespan,
                  description="Draft and check service-interruption and compensation clauses "
                              "(SLA / 服务中断赔偿条款). The same validate, render and check "
                              "functions as the clausegen command line.")
    app.state.clausegen = Settings(library, lib.family(), pool, max_upload_bytes)
    hosts = list(allowed_hosts) if allowed_hosts else list(LOOPBACK_HOSTS)
    app.add_middleware(_Guard, max_bytes=max_upload_bytes, allowed_hosts=hosts)
    app.state.max_upload_bytes = max_upload_bytes
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Starlette's own HTTPException too (FastAPI's is a subclass): the multipart parser raises it for
    # too many fields or files, routing for an unknown path; every error answer has one shape.
    for kind, handler in ((StarletteHTTPException, _http_error), (RequestValidationError, _request_error),
                          (InvalidSpec, _invalid_spec), (ClausegenError, _clausegen_error),
                          (Exception, _internal_error)):
        app.add_exception_handler(kind, handler)
    app.include_router(router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI):
    state = app.state.clausegen
    state.serving += 1
    try:
        yield
    finally:
        state.serving -= 1
        if not state.serving:
            state.pool.close()  # workers are started again by the next check


# ---------------------------------------------------------------- errors as JSON


async def _http_error(request: Request, exc: StarletteHTTPException):
    return _json_error(exc.status_code, str(exc.detail))


async def _request_error(request: Request, exc: RequestValidationError):
    msgs = ["{}: {}".format(".".join(str(x) for x in e.get("loc", ())), e.get("msg", ""))
            for e in exc.errors()]
    return _json_error(400, "; ".join(msgs) or "bad request")


async def _invalid_spec(request: Request, exc: InvalidSpec):
    return _json_error(422, exc.message, problems=[_problem_dict(p) for p in exc.problems])


async def _clausegen_error(request: Request, exc: ClausegenError):
    status = 500 if isinstance(exc, LibraryError) else 400
    return _json_error(status, exc.message, hint=exc.hint,
                       problems=[_problem_dict(_error_problem(exc, "spec.yaml"))])


async def _internal_error(request: Request, exc: Exception):
    return _json_error(500, f"internal error: {type(exc).__name__}",
                       hint="this is a bug in clausegen; run the same input with the "
                            "command line and --debug, and report the traceback")


# ---------------------------------------------------------------- request helpers


async def read_spec(request: Request, name: str) -> tuple[dict, dict | None]:
    """Return (data, marks) from a YAML or JSON body; raise HTTPException/SpecError."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in JSON_TYPES and ctype not in YAML_TYPES:
        raise HTTPException(415, f"send the spec as YAML (application/yaml) or JSON "
                                 f"(application/json), not {ctype!r}")
    body = await request.body()
    if not body.strip():
        raise HTTPException(400, "the request body is empty; send a spec")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "the spec is not UTF-8 text") from None
    if ctype in JSON_TYPES:
        marks = None
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys(name), parse_int=_json_int)
        except json.JSONDecodeError as exc:
            raise SpecError(f"not valid JSON: {exc.msg}", path=name, line=exc.lineno,
                            col=exc.colno) from None
        except RecursionError:
            data = TOO_DEEP
        _check_depth(data, name)  # JSON has no depth limit of its own; YAML's loader has one
    else:
        from clausegen.yamlsource import load_yaml_text

        doc = load_yaml_text(text, name)
        data, marks = doc.data, doc.marks
    if not isinstance(data, dict):
        raise SpecError("the spec must be a mapping of keys (clausegen, family, language, …)",
                        path=name, line=1, col=1, hint="start from `clausegen new` or the form")
    return data, marks


def validate(library, data: dict, marks, name: str, lang: str | None = None, draft: bool = False) -> list[Problem]:
    """Return the problems of spec `data` against the clause `library` (the folder, or None)."""
    from clausegen import spec

    if draft:  # open values (TBD, 待定) are listed as `open`, not errors
        from types import SimpleNamespace

        from clausegen.draft import draft_problems

        return draft_problems(SimpleNamespace(data=data, marks=marks or {}), name, lang)
    return list(spec.validate(data, marks=marks, file=name, lang=lang))


async def read_upload(request: Request, tmp: Path, suffixes=CONTRACT_SUFFIXES) -> tuple[Path, str]:
    """Save the multipart field `file` into `tmp`; return (saved path, display name).

    A text field `playbook` (a playbook's YAML) is saved beside it as playbook.yaml."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise HTTPException(415, "upload the contract as multipart/form-data in the field 'file'")
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "no file in the form field 'file'")
        display = _safe_filename(upload.filename, "contract")
        suffix = Path(display).suffix.lower()
        if suffix not in suffixes:
            raise HTTPException(415, f"cannot read {suffix or 'files without a suffix'}; "
                                     f"upload {', '.join(suffixes)}")
        # The client's name is used for its suffix only, never as a path.
        path = tmp / f"contract{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out)
        if path.stat().st_size == 0:
            raise HTTPException(400, f"the uploaded file {display!r} is empty")
        book = form.get("playbook")
        if isinstance(book, str) and book.strip():
            (tmp / "playbook.yaml").write_text(book, encoding="utf-8")
        return path, display
    finally:
        await form.close()


async def in_worker(pool, fn, *args):
    """Return fn(*args) computed in a worker process of `pool` under the check_seconds limit.

    The event loop only waits: health checks and other requests are answered meanwhile.
    """
    from clausegen import limits
    from clausegen.check.workers import rebuild_error

    seconds = limits.get("check_seconds")
    outcome = await run_in_threadpool(pool.run, seconds, fn, *args)
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "error":
        raise rebuild_error(outcome[1])
    if kind == "timeout":
        raise HTTPException(422, f"checking the contract took longer than {seconds:g} s, so it was stopped; "
                                 "the file may be crafted to be slow, or be very large")
    if kind == "died":
        raise HTTPException(422, "checking the contract used more memory than there is, so it was stopped")
    raise RuntimeError(outcome[1])  # a bug: answered as an internal error


def playbook_for(name: str | None, tmp: Path) -> str | None:
    """Return the playbook file to use: an uploaded one, else a sample by name, else None."""
    from clausegen.check import load_playbook

    uploaded = tmp / "playbook.yaml"
    if uploaded.exists():
        try:
            load_playbook(uploaded)  # a bad playbook is the user's error, named as such
        except ClausegenError as exc:
            exc.message = exc.message.replace(str(uploaded), "playbook.yaml")
            exc.path, exc.args = "playbook.yaml", (exc.message,)
            raise
        return str(uploaded)
    if not name:
        return None
    from clausegen.resources import playbooks_dir

    known = {p.stem: p for p in playbooks_dir().glob("*.yaml")}
    if name not in known:
        raise HTTPException(400, f"playbook must be one of {', '.join(sorted(known))}, not {name!r}")
    return str(known[name])


def check_lang(lang: str) -> str:
    if lang not in CHECK_LANGS:
        raise HTTPException(400, f"lang must be one of {', '.join(CHECK_LANGS)}, not {lang!r}")
    return lang


# ---------------------------------------------------------------- pages


def page(name: str) -> FileResponse:
    """Return the static HTML page `name`, revalidated on each visit."""
    return FileResponse(STATIC_DIR / name, media_type="text/html; charset=utf-8",
                        headers={"cache-control": "no-cache"})


@router.get("/", include_in_schema=False)
async def drafting_page():
    return page("index.html")


@router.get("/review", include_in_schema=False)
async def review_page():
    return page("review.html")


@router.get("/favicon.ico", include_in_schema=False)
async def favicon():
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


# ---------------------------------------------------------------- API: the form's data


@router.get("/api/health", summary="Whether the server answers (it does while contracts are checked)")
async def get_health():
    return JSONResponse({"status": "ok", "version": __version__}, headers={"cache-control": "no-store"})


@router.get("/api/family", summary="The clause family: provisions in drafting order, titles")
async def get_family(s: SettingsDep):
    family = s.family
    return {"id": family.id, "version": family.version, "title": family.title,
            "languages": list(family.languages),
            "provisions": [{"id": p.id, "required": p.required, "title": p.title}
                           for p in family.provisions],
            "max_upload_bytes": s.max_upload_bytes}


@router.get("/api/schema", summary="The spec's JSON Schema (titles and help in zh and en)")
async def get_schema(s: SettingsDep):
    from clausegen.resources import load_schema

    return load_schema(s.family.spec_schema)


@router.get("/api/starter", summary="A complete valid starter spec (the form's defaults)")
async def get_starter(s: SettingsDep, lang: str = "zh"):
    from clausegen import spec

    if lang not in RENDER_LANGS:
        raise HTTPException(400, f"lang must be one of {', '.join(RENDER_LANGS)}, not {lang!r}")
    return JSONResponse(jsonable_encoder(spec.starter_data(lang, s.library)))


# ---------------------------------------------------------------- API: specs


@router.post("/api/validate", summary="Validate a spec (YAML or JSON body) → problems",
          openapi_extra={"requestBody": _SPEC_BODY})


async def api_validate(request: Request, s: SettingsDep, name: str = "spec.yaml", lang: str | None = None,
                       draft: bool = False):
    """`lang` (zh or en) words the problems; by default they follow the spec's language. `draft`
    reads the spec as a first draft: values left open (TBD, 待定) are problems of severity `open`."""
    if lang is not None and lang not in ("zh", "en"):
        raise HTTPException(400, f"lang must be zh or en, not {lang!r}")
    name = _safe_filename(name, "spec.yaml")
    try:
        data, marks = await read_spec(request, name)
    except SpecError as exc:
        problem = _error_problem(exc, name)
        return _json_error(400, exc.message, hint=exc.hint, problems=[_problem_dict(problem)])
    problems = await run_in_threadpool(validate, s.library, data, marks, name, lang, draft)
    return {"problems": [_problem_dict(p) for p in problems],
            "valid": not any(p.severity == "error" for p in problems)}


@router.post("/api/spec/parse", summary="Load a YAML spec with the command line's loader → data",
          openapi_extra={"requestBody": _SPEC_BODY})


async def api_parse(request: Request, s: SettingsDep, name: str = "spec.yaml"):
    name = _safe_filename(name, "spec.yaml")
    data, marks = await read_spec(request, name)
    problems = await run_in_threadpool(validate, s.library, data, marks, name)
    return JSONResponse(jsonable_encoder({"data": data,
                                          "problems": [_problem_dict(p) for p in problems]}))


@router.post("/api/spec/dump", summary="Turn spec data (JSON body) into a YAML spec file",
          openapi_extra={"requestBody": _SPEC_BODY})


async def api_dump(request: Request, filename: str = "spec.yaml"):
    data, _ = await read_spec(request, "spec.json")
    text = dump_yaml(data)
    name = _safe_filename(filename, "spec.yaml")
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    return Response(text.encode("utf-8"), media_type="application/yaml; charset=utf-8",
                    headers={"content-disposition": _content_disposition(name)})


@router.post("/api/render", summary="Render a spec (YAML or JSON body) → docx, pdf, md, html or txt",
          openapi_extra={"requestBody": _SPEC_BODY},
          responses={200: {"content": {t: {} for t in RENDER_FORMATS.values()}},
                     422: {"description": "the spec is invalid; the body lists the problems"}})


async def api_render(request: Request, s: SettingsDep, format: str = "docx", lang: str | None = None,
                     draft: bool = False):
    """`draft` renders the values left open (TBD, 待定) as blanks and lists them at the end; `pdf` needs
    LibreOffice on the server (a 400 saying how to install it otherwise)."""
    if format not in RENDER_FORMATS:
        raise HTTPException(400, f"format must be one of {', '.join(RENDER_FORMATS)}, not {format!r}")
    if lang is not None and lang not in RENDER_LANGS:
        raise HTTPException(400, f"lang must be one of {', '.join(RENDER_LANGS)}, not {lang!r}")
    data, marks = await read_spec(request, "spec.yaml")
    problems = await run_in_threadpool(validate, s.library, data, marks, "spec.yaml", None, draft)
    if any(p.severity == "error" for p in problems):
        raise InvalidSpec(problems)

    def build() -> bytes:
        from clausegen.render import render, write

        return write(render(data, lang=lang, library=s.library, draft=draft), format)

    content = await run_in_threadpool(build)
    shown_lang = lang or str(data.get("language") or "spec")
    filename = f"{s.family.id}-{shown_lang}{'-draft' if draft else ''}.{format}"
    return Response(content, media_type=RENDER_FORMATS[format],
                    headers={"content-disposition": _content_disposition(filename),
                             "cache-control": "no-store"})


# ---------------------------------------------------------------- API: contracts


@router.post("/api/check", summary="Check a contract (multipart field `file`) → the JSON report",
          openapi_extra={"requestBody": _UPLOAD_BODY})


async def api_check(request: Request, s: SettingsDep, lang: str = "auto", context: bool = False,
                    playbook: str | None = None):
    check_lang(lang)
    with tempfile.TemporaryDirectory(prefix="clausegen-web-") as tmp:
        path, display = await read_upload(request, Path(tmp))
        book = playbook_for(playbook, Path(tmp))
        with _hiding_paths(tmp, display):
            result = await in_worker(s.pool, check_job, str(path), display, lang, s.library, context, book)
    return JSONResponse(jsonable_encoder(result), headers={"cache-control": "no-store"})


@router.post("/api/annotate", summary="Check a .docx contract → a copy with Word comments",
          openapi_extra={"requestBody": _UPLOAD_BODY},
          responses={200: {"content": {DOCX_TYPE: {}}}})


async def api_annotate(request: Request, s: SettingsDep, lang: str = "auto"):
    check_lang(lang)
    with tempfile.TemporaryDirectory(prefix="clausegen-web-") as tmp:
        path, display = await read_upload(request, Path(tmp), suffixes=(".docx",))
        with _hiding_paths(tmp, display):
            content = await in_worker(s.pool, annotate_job, str(path), lang, s.library,
                                      str(Path(tmp) / "annotated.docx"))
    name = f"{Path(display).stem or 'contract'}-annotated.docx"
    return Response(content, media_type=DOCX_TYPE,
                    headers={"content-disposition": _content_disposition(name),
                             "cache-control": "no-store"})


@router.get("/api/playbooks", summary="The sample playbooks (the firm's positions) the review page offers")
async def get_playbooks():
    from clausegen.check import load_playbook
    from clausegen.resources import playbooks_dir

    out = []
    for p in sorted(playbooks_dir().glob("*.yaml")):
        book = load_playbook(p)
        out.append({"name": p.stem, "side": book.get("side"), "terms": list(book.get("positions") or {})})
    return out


@router.post("/api/redline", summary="Check a .docx contract → a copy with the fixes as tracked changes",
          openapi_extra={"requestBody": _UPLOAD_BODY},
          responses={200: {"content": {DOCX_TYPE: {}}}})


async def api_redline(request: Request, s: SettingsDep, lang: str = "auto", author: str | None = None,
                      playbook: str | None = None):
    check_lang(lang)
    if author is not None and (len(author) > 100 or not author.strip()):
        raise HTTPException(400, "author must be a name of 1 to 100 characters")
    with tempfile.TemporaryDirectory(prefix="clausegen-web-") as tmp:
        path, display = await read_upload(request, Path(tmp), suffixes=(".docx",))
        book = playbook_for(playbook, Path(tmp))
        with _hiding_paths(tmp, display):
            content = await in_worker(s.pool, redline_job, str(path), lang, s.library, str(Path(tmp) / "redline.docx"),
                                      author, book)
    name = f"{Path(display).stem or 'contract'}-redline.docx"
    return Response(content, media_type=DOCX_TYPE,
                    headers={"content-disposition": _content_disposition(name),
                             "cache-control": "no-store"})


def evidence_context(paragraphs, report) -> dict:
    """Return {paragraph index: text} for the `paragraphs` (the checked contract's, as read) that
    hold evidence or findings of `report`."""
    wanted = {e.paragraph for p in report.provisions for e in p.evidence}
    wanted |= {f.paragraph for f in report.findings if f.paragraph is not None}
    out = {}
    for i in sorted(wanted):
        if 0 <= i < len(paragraphs):
            para = paragraphs[i]
            out[str(i)] = str(getattr(para, "text", para))
    return out


def dump_yaml(data: dict) -> str:
    """Return `data` as a YAML spec file, each key commented from the schema (clausegen.spec.spec_text)."""
    from clausegen.spec import spec_text

    lang = data.get("language") if data.get("language") in ("zh", "en", "bilingual") else "en"
    head = ["# clausegen spec saved from the web form", "# check it with: clausegen validate FILE"]
    return spec_text(data, lang, head)
