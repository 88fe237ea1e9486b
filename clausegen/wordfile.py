"""A Word .docx package, checked before python-docx opens it: its kind, its parts, their sizes.

Both the contract reader and the Word writer (a reference .docx) open Word files from outside;
this is where a renamed .doc, a password-protected file, a zip bomb or an XML part with a
DOCTYPE is refused, within the limits of clausegen.limits.
"""

from __future__ import annotations

from pathlib import Path

from clausegen.errors import InputError
from clausegen.limits import MB, check_input_size, get, size_text


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str:
    """Return what the first bytes of `path` say it is: zip, ole2, pdf, rtf, html, empty or unknown."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == OLE2_MAGIC:
        return "ole2"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.lstrip().lower().startswith((b"<html", b"<!doct", b"<?xml")):
        return "html"
    return "unknown"


def _ole2_names(path: Path, limit: int) -> bytes:
    # Directory entry names are UTF-16LE; a bounded read finds them without an OLE2 parser.
    with open(path, "rb") as fh:
        return fh.read(limit)


def check_docx(path: Path) -> None:
    """Refuse a .docx that is not a Word 2007+ package, or that would cost too much to open.

    Checks, before python-docx parses anything: the file size, the file kind (an empty file,
    a renamed .doc, .pdf or .rtf, a password-protected document), the number of parts, their
    total uncompressed size and each large part's compression ratio (zip bombs), and that no
    XML part declares a DOCTYPE (entity expansion, external entities). Raises InputError.
    """
    import zipfile
    import zlib

    name = str(path)
    check_input_size(path)
    kind = sniff(path)
    save_hint = "open it in Word and save it as a Word Document (.docx)"
    if kind == "empty":
        raise InputError("the file is empty (0 bytes)", path=name, hint="check that the file was copied completely")
    if kind == "ole2":
        names = _ole2_names(path, get("input_bytes"))
        if "EncryptionInfo".encode("utf-16-le") in names or "EncryptedPackage".encode("utf-16-le") in names:
            raise InputError("the document is password-protected (encrypted)", path=name,
                             hint="remove the password in Word (File → Info → Protect Document) and check it again")
        raise InputError("this is an old Word .doc (or other OLE2) file renamed to .docx", path=name, hint=save_hint)
    if kind == "pdf":
        raise InputError("this is a PDF file renamed to .docx", path=name, hint="rename it to .pdf and check it again")
    if kind == "rtf":
        raise InputError("this is an RTF file renamed to .docx", path=name, hint=save_hint)
    if kind == "html":
        raise InputError("this is an HTML or Word 2003 XML file renamed to .docx", path=name, hint=save_hint)
    if kind != "zip":
        raise InputError("not a Word .docx file (a .docx is a zip package; this file is not one)", path=name,
                         hint=save_hint)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(zf, infos, name)
    except zipfile.BadZipFile as exc:
        raise InputError(f"the .docx package is damaged or truncated ({exc})", path=name,
                         hint="ask for the file again, or open it in Word and save a new copy") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError, ValueError, zlib.error) as exc:
        raise InputError(f"the .docx package is damaged ({exc})", path=name, hint=save_hint) from None


WORD_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def _check_members(zf, infos, name: str) -> None:
    max_members = get("docx_members")
    if len(infos) > max_members:
        raise InputError(f"the .docx has {len(infos)} parts; the limit is {max_members}", path=name,
                         hint="raise it with --limit docx_members=... if the file is genuine")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise InputError("this zip file is not a Word document (no [Content_Types].xml)", path=name,
                         hint="open it in Word and save it as a Word Document (.docx)")
    limit, ratio, xml_limit = get("docx_uncompressed_bytes"), get("docx_ratio"), get("docx_xml_bytes")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError("the .docx package is encrypted", path=name, hint="remove the password and check it again")
        total += info.file_size
        big = info.file_size > MB
        if big and info.file_size > ratio * max(info.compress_size, 1):
            raise InputError(f"the part {info.filename!r} expands {info.file_size // max(info.compress_size, 1)} times "
                             f"(limit {ratio}); this looks like a zip bomb", path=name,
                             hint="raise it with --limit docx_ratio=... if the file is genuine")
        if total > limit:
            raise InputError(f"the .docx expands to more than {size_text(limit)} (a zip bomb?)", path=name,
                             hint="raise it with --limit docx_uncompressed_bytes=... if the file is genuine")
    # Whether a part is XML is told by its content type and by its content, never by its name: the
    # main document may be called word/document.bin, and a customXml part is XML like any other.
    types = _content_types(zf, zf.getinfo("[Content_Types].xml"), name, xml_limit)
    for info in infos:
        if (types.get(info.filename) or "").endswith("xml") and info.file_size > xml_limit:
            _xml_too_big(info, xml_limit, name)  # before any parser reads it
        is_xml, doctype = _probe_xml(zf, info)
        if is_xml and info.file_size > xml_limit:
            _xml_too_big(info, xml_limit, name)
        if doctype:
            raise InputError(f"the part {info.filename!r} declares a DOCTYPE (XML entities); "
                             "Word never writes one, so the file was crafted or damaged", path=name,
                             hint="open it in Word and save a new copy")
    if not any(types.get(n) in WORD_MAIN_TYPES for n in names) and "word/document.xml" not in names:
        raise InputError("this Office package holds no Word document (no word/document.xml or other main "
                         "document part)", path=name,
                         hint="is it a spreadsheet or a presentation? clausegen checks Word documents")
    bad = zf.testzip()  # every part inflates and matches its checksum (sizes are bounded above)
    if bad is not None:
        raise InputError(f"the .docx package is damaged (the part {bad!r} fails its checksum)", path=name,
                         hint="ask for the file again, or open it in Word and save a new copy")


def _xml_too_big(info, xml_limit: int, name: str) -> None:
    raise InputError(f"the part {info.filename!r} is {size_text(info.file_size)} of XML; the limit is "
                     f"{size_text(xml_limit)}", path=name,
                     hint="raise it with --limit docx_xml_bytes=... if the file is genuine")


def _probe_xml(zf, info) -> tuple[bool, bool]:
    """Return (whether the part `info` is XML, whether it declares a DOCTYPE).

    The part is read only up to its root element, by the parser python-docx uses (so every
    encoding that parser would detect is covered), expanding no entity and loading no DTD.
    """
    from lxml import etree

    if info.file_size == 0:
        return False, False
    with zf.open(info) as fh:
        try:
            for _event, element in etree.iterparse(fh, events=("start",), resolve_entities=False,
                                                   load_dtd=False, no_network=True):
                docinfo = element.getroottree().docinfo
                return True, bool(docinfo.doctype) or docinfo.internalDTD is not None
        except etree.XMLSyntaxError:  # not XML (an image), or XML that no parser accepts either
            pass
    # Newer libxml2 refuses some entity declarations outright (amplification limits) before the
    # root is reached: look for the declaration in the bytes themselves, in UTF-8 and UTF-16.
    with zf.open(info) as fh:
        head = fh.read(65536)
    for marker in (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")):
        if marker in head or marker.lower() in head:
            return True, True
    return False, False


def _content_types(zf, info, name: str, xml_limit: int) -> dict[str, str]:
    """Return {part name: content type} from [Content_Types].xml (checked before it is parsed)."""
    from xml.etree import ElementTree

    if info.file_size > xml_limit:
        _xml_too_big(info, xml_limit, name)
    if _probe_xml(zf, info)[1]:
        raise InputError("the part '[Content_Types].xml' declares a DOCTYPE (XML entities); Word never writes "
                         "one, so the file was crafted or damaged", path=name, hint="open it in Word and save a new copy")
    try:
        root = ElementTree.fromstring(zf.read(info))
    except ElementTree.ParseError as exc:
        raise InputError(f"the .docx package is damaged ([Content_Types].xml: {exc})", path=name,
                         hint="open it in Word and save a new copy") from None
    defaults, out = {}, {}
    for el in root:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "Default":
            defaults[(el.get("Extension") or "").lower()] = el.get("ContentType") or ""
        elif tag == "Override":
            out[(el.get("PartName") or "").lstrip("/")] = el.get("ContentType") or ""
    for member in zf.namelist():
        base = member.rsplit("/", 1)[-1]
        if member not in out and "." in base:
            out[member] = defaults.get(base.rsplit(".", 1)[-1].lower(), "")
    return out
