from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session

from bartr.adapters.storage import LocalStorage
from bartr.services import avatars
from bartr.services.errors import ValidationFailed
from bartr.settings import get_settings
from tests.factories import make_user


def _png(width: int, height: int, *, exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((20, 20, 200), (0, 0, width // 2, height))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        image.save(out, format="PNG", exif=info.tobytes())
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size (decompression bomb shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_valid_png_becomes_a_clean_256_square() -> None:
    out = avatars.process_avatar(_png(800, 400, exif=True))
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == "WEBP"
        assert image.size == (256, 256)
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info
        # centre crop of a half-blue, half-red landscape keeps both halves
        assert image.convert("RGB").getpixel((10, 128))[2] > 150
        assert image.convert("RGB").getpixel((245, 128))[0] > 150


def test_too_large_file_is_refused() -> None:
    data = b"\x89PNG" + b"\x00" * (get_settings().avatar_max_bytes + 1)
    with pytest.raises(ValidationFailed, match="too large") as err:
        avatars.process_avatar(data)
    assert err.value.field == "avatar"


@pytest.mark.parametrize("data", [b"<?php echo 1; ?>", b"GIF89a-not-really", b"%PDF-1.4\n", b""])
def test_non_images_are_refused_whatever_their_name(data: bytes) -> None:
    with pytest.raises(ValidationFailed):
        avatars.process_avatar(data)


def test_decompression_bomb_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="too many pixels"):
        avatars.process_avatar(_bomb_png(60_000, 60_000))
    with pytest.raises(ValidationFailed, match="too many pixels"):
        avatars.process_avatar(_bomb_png(20_000, 10))


def test_truncated_image_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        avatars.process_avatar(_png(300, 300)[:200])


def test_set_avatar_writes_a_random_file_outside_uploads(db: Session, tmp_path: Path) -> None:
    user = make_user(db)
    storage = LocalStorage(tmp_path)
    path = avatars.do_set_avatar(db, actor=user, data=_png(300, 300), storage=storage)
    db.commit()
    assert path.startswith("avatars/") and path.endswith(".webp")
    stored = tmp_path / "avatars" / Path(path).name
    assert stored.exists() and stored.read_bytes()[8:12] == b"WEBP"
    assert avatars.avatar_key(path) == path
    assert avatars.avatar_key("../etc/passwd") is None
    assert avatars.avatar_key("avatars/../../x.webp") is None
    second = avatars.do_set_avatar(db, actor=user, data=_png(50, 80), storage=storage)
    assert second != path
    default = get_settings().media_path
    assert "uploaded_files" not in str(default) and default.parts[-2:] == ("data", "media")


def test_refused_avatar_keeps_the_old_one(db: Session, tmp_path: Path) -> None:
    user = make_user(db)
    with pytest.raises(ValidationFailed):
        avatars.do_set_avatar(db, actor=user, data=b"not an image", storage=LocalStorage(tmp_path))
    assert user.avatar_path is None and list(tmp_path.iterdir()) == []


def test_an_avatar_saved_before_the_transaction_is_recorded_by_its_key(
    db: Session, tmp_path: Path
) -> None:
    """The file is written with no transaction open (S3 is slow); the write only records
    the key, and only a key of ours."""
    user = make_user(db)
    clean = avatars.prepare_avatar(_png(120, 120))
    key = avatars.save_avatar_file(clean, LocalStorage(tmp_path))
    assert (tmp_path / key).exists()
    assert avatars.do_set_avatar(db, actor=user, stored_key=key) == key
    assert user.avatar_path == key
    with pytest.raises(ValidationFailed):
        avatars.do_set_avatar(db, actor=user, stored_key="../../etc/passwd")
    assert user.avatar_path == key
