"""Profile pictures: validated by decoding, re-encoded clean, stored outside the web root.

`process_avatar` trusts nothing about the upload: the size is bounded before decoding,
the format is what Pillow finds in the bytes (never the file name), the pixel count is
bounded before the image is decoded (decompression bombs), and the result is a fresh
256x256 WebP with no metadata (EXIF, GPS, ICC, comments are all dropped).

Files go to the app's file storage under "avatars/<random>.webp" (a folder outside the
web root by default, never Reflex's public `/_upload` folder); `user.avatar_path` holds
that key for the media route to serve.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from bartr.adapters.storage import FileStorage
from bartr.models.accounts import User
from bartr.services.errors import ValidationFailed
from bartr.settings import get_settings

AVATAR_SIZE = 256
MAX_PIXELS = 40_000_000  # 40 MP; more than any phone photo, far below a bomb
MAX_SIDE = 12_000
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
AVATAR_PREFIX = "avatars"
_AVATAR_KEY = re.compile(r"^avatars/[A-Za-z0-9_-]+\.webp$")


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="avatar")


def process_avatar(data: bytes) -> bytes:
    """Validate an uploaded image and return a clean 256x256 WebP."""
    limit = get_settings().avatar_max_bytes
    if not data:
        raise _fail("Choose an image file.")
    if len(data) > limit:
        raise _fail(f"That image is too large; use one under {limit // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
            if fmt not in ALLOWED_FORMATS:
                raise _fail("Use a PNG, JPEG, WebP or GIF image.")
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _fail("That image has too many pixels; use a smaller picture.")
            if min(width, height) < 1:
                raise _fail("That image is empty.")
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image: Image.Image = ImageOps.exif_transpose(opened)
                image = (
                    image.convert("RGBA")
                    if image.mode in ("RGBA", "LA", "P")
                    else image.convert("RGB")
                )
                square = ImageOps.fit(
                    image, (AVATAR_SIZE, AVATAR_SIZE), method=Image.Resampling.LANCZOS
                )
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise _fail("That file is not an image we can read (PNG, JPEG, WebP or GIF).") from exc
        raise _fail("That image has too many pixels; use a smaller picture.") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise _fail("That image seems damaged; try another file.") from exc
    # A fresh image carries no metadata from the upload.
    clean = Image.new(square.mode, square.size)
    clean.paste(square)
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()


@dataclass(frozen=True)
class CleanAvatar:
    """The output of `prepare_avatar`: a re-encoded 256x256 WebP, safe to store."""

    webp: bytes


def prepare_avatar(data: bytes) -> CleanAvatar:
    """Decode and re-encode an upload (hundreds of ms for a large photo).

    Separate from `do_set_avatar` so the web layer can run it in a thread, off the event
    loop and outside the write transaction.
    """
    return CleanAvatar(process_avatar(data))


def avatar_key(avatar_path: str) -> str | None:
    """The storage key for a stored avatar_path, or None if the path is not one of ours."""
    return avatar_path if _AVATAR_KEY.match(avatar_path) else None


def save_avatar_file(data: CleanAvatar, storage: FileStorage) -> str:
    """Write the picture to storage (slow with S3): call it outside any transaction, then
    `do_set_avatar(..., stored_key=key)`. Returns the new key."""
    key = f"{AVATAR_PREFIX}/{secrets.token_urlsafe(16)}.webp"
    storage.save(key, [data.webp])
    return key


def do_set_avatar(
    db: Session,
    *,
    actor: User,
    data: bytes | CleanAvatar | None = None,
    storage: FileStorage | None = None,
    stored_key: str | None = None,
) -> str:
    """Store a new avatar for the actor; returns the new avatar_path.

    `stored_key`: the file was already saved by `save_avatar_file` (outside the
    transaction); otherwise `data` is processed and saved here.
    The previous file is left in place: the caller's transaction may still roll back, and
    a stale file is harmless (names are random); a periodic sweep can remove orphans.
    """
    if stored_key is not None:
        if avatar_key(stored_key) is None:
            raise ValidationFailed("That picture can't be used.")
        key = stored_key
    else:
        if data is None or storage is None:
            raise ValidationFailed("Choose an image file.")
        webp = data.webp if isinstance(data, CleanAvatar) else process_avatar(data)
        key = save_avatar_file(CleanAvatar(webp=webp), storage)
    actor.avatar_path = key
    db.add(actor)
    db.flush()
    return key
