"""Course files on their way in: typed by their bytes, bounded while streaming, named safely.

`store_upload` takes the upload as an iterator of chunks (straight from the socket) and
passes them to the FileStorage one by one, so a 2 GB lecture is never held in memory.
While the bytes flow it
- decides the type from the first bytes (magic numbers), never from the name or the
  browser's claim: `%PDF-` for PDF notes, an ISO-BMFF `ftyp` box with an MP4 brand, or an
  EBML header whose DocType is `webm`;
- stops as soon as the file passes the limit for its type (settings), or is empty;
- refuses PDFs that carry JavaScript (`/JavaScript`, `/JS`): PDF viewers may run it.
A refusal raises ValidationFailed; the storage then keeps nothing (its writes are
whole-or-nothing: a local temp file is removed, an S3 multipart upload is aborted).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bartr.adapters.storage import FileStorage
from bartr.models.courses import ItemKind
from bartr.services.errors import ValidationFailed
from bartr.settings import get_settings

SNIFF_BYTES = 64
MAX_NAME = 160
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
    b"M4V ", b"MSNV", b"mmp4", b"f4v ",
}  # fmt: skip
CONTENT_TYPES = {"pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm"}
KIND_OF = {"pdf": ItemKind.PDF, "mp4": ItemKind.VIDEO, "webm": ItemKind.VIDEO}
# A name token followed by a PDF delimiter: "/JS" must not match "/JSON".
_PDF_SCRIPT = re.compile(rb"/(JavaScript|JS)(?=[\s/<>\[\]()%{}])")
_SCAN_OVERLAP = 16
# Control characters and the bidi overrides that can make "exe.pdf" read as "fdp.exe".
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class StoredFile:
    key: str
    fmt: str  # pdf | mp4 | webm
    kind: str
    content_type: str
    size: int
    display_name: str


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def sniff(head: bytes) -> str | None:
    """The format the first bytes prove (pdf, mp4, webm), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML header: the DocType element (0x4282) says webm or matroska.
        at = head.find(b"\x42\x82")
        if at != -1 and at + 3 <= len(head):
            length = head[at + 2] & 0x7F
            if head[at + 3 : at + 3 + length] == b"webm":
                return "webm"
    return None


def display_name(raw: str | None) -> str:
    """A cleaned file name fit to show (never a path): last segment, no control chars."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_CHARS.sub("", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            name = stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME].rstrip()
    return name or "file"


def title_from_name(name: str) -> str:
    """A first title for a new item: the display name without its extension."""
    stem, dot, ext = name.rpartition(".")
    title = stem if dot and stem and len(ext) <= 8 else name
    return re.sub(r"[_]+", " ", title).strip()[:120] or "Untitled"


def limit_for(fmt: str) -> int:
    s = get_settings()
    return s.course_pdf_max_bytes if fmt == "pdf" else s.course_video_max_bytes


def _human(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.0f} GB"
    return f"{n / 1024**2:.0f} MB"


def new_key(course_id: int, fmt: str) -> str:
    """Random and unguessable; nothing of the uploader's name is in it."""
    return f"courses/{course_id}/{secrets.token_urlsafe(18)}.{fmt}"


class _Checked:
    """Wraps the incoming chunks: sniffs, counts and scans them on their way to storage."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self.fmt: str | None = None
        self.size = 0
        self._limit = 0
        self._tail = b""

    def start(self) -> bytes:
        """Read until the type is known; returns the bytes read so far."""
        head = b""
        for chunk in self._chunks:
            head += chunk
            if len(head) >= SNIFF_BYTES:
                break
        if not head:
            raise _fail("That file is empty.")
        self.fmt = sniff(head[:SNIFF_BYTES])
        if self.fmt is None:
            raise _fail(
                "That file is not a PDF, MP4 or WebM video (we look at its contents, not its name)."
            )
        self._limit = limit_for(self.fmt)
        self._account(head)
        return head

    def _account(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._limit:
            kind = "PDF notes" if self.fmt == "pdf" else "Videos"
            raise _fail(f"That file is too large: {kind} may be up to {_human(self._limit)}.")
        if self.fmt == "pdf":
            window = self._tail + chunk
            if _PDF_SCRIPT.search(window):
                raise _fail(
                    "That PDF contains JavaScript, which we never serve. Export or print it "
                    "to a new PDF without scripts and upload that."
                )
            self._tail = window[-_SCAN_OVERLAP:]

    def stream(self, head: bytes) -> Iterator[bytes]:
        yield head
        for chunk in self._chunks:
            if chunk:
                self._account(chunk)
                yield chunk


def store_upload(
    storage: FileStorage, chunks: Iterable[bytes], *, course_id: int, filename: str | None
) -> StoredFile:
    """Validate and store one uploaded file; nothing is kept when it is refused."""
    checked = _Checked(chunks)
    head = checked.start()
    assert checked.fmt is not None
    key = new_key(course_id, checked.fmt)
    size = storage.save(key, checked.stream(head))
    return StoredFile(
        key=key,
        fmt=checked.fmt,
        kind=KIND_OF[checked.fmt],
        content_type=CONTENT_TYPES[checked.fmt],
        size=size,
        display_name=display_name(filename),
    )
