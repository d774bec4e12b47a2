import os
import struct
import zlib

import cv2
import numpy as np
import pytest

from kiosk.config import LimitsConfig
from kiosk.exhibits.images import image_digest, load_image
from kiosk.exhibits.schema import ExhibitError

LIMITS = LimitsConfig()


def fails(dirs, relative, words, limits=LIMITS):
    with pytest.raises(ExhibitError) as info:
        load_image(dirs.content, relative, limits)
    assert words in str(info.value)
    return info.value


def test_loads_colour_grey_and_alpha_as_bgr(dirs):
    dirs.write_image("a.jpg", (30, 20, 3))
    dirs.write_image("grey.png", (30, 20))
    dirs.write_image("alpha.png", (30, 20, 4))
    for name in ("a.jpg", "grey.png", "alpha.png"):
        img = load_image(dirs.content, name, LIMITS)
        assert img.shape == (30, 20, 3) and img.dtype == np.uint8


def test_non_ascii_path(dirs):
    dirs.write_image("Éva Ørsted/portrét.png", (10, 12, 3))
    assert load_image(dirs.content, "Éva Ørsted/portrét.png", LIMITS).shape == (10, 12, 3)


def test_missing_empty_and_not_an_image(dirs):
    err = fails(dirs, "nope.jpg", "image not found")
    assert err.file.endswith("content/nope.jpg")
    (dirs.content / "empty.png").write_bytes(b"")
    fails(dirs, "empty.png", "empty")
    (dirs.content / "text.jpg").write_text("hello, not a picture")
    fails(dirs, "text.jpg", "is not an image")
    (dirs.content / "folder.png").mkdir()
    fails(dirs, "folder.png", "not a file")


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_truncated_jpeg_and_png(dirs, keep):
    for name in ("t.jpg", "t.png"):
        data = dirs.write_image(name, (64, 64, 3)).read_bytes()
        (dirs.content / name).write_bytes(data[: int(len(data) * keep)])
        with pytest.raises(ExhibitError):
            load_image(dirs.content, name, LIMITS)


def test_symlink_outside_the_root_is_refused(dirs, tmp_path):
    outside = tmp_path / "secret.png"
    ok, data = cv2.imencode(".png", np.zeros((4, 4, 3), np.uint8))
    outside.write_bytes(data.tobytes())
    os.symlink(outside, dirs.content / "link.png")
    fails(dirs, "link.png", "outside the content folder")
    os.symlink(tmp_path, dirs.content / "linkdir")
    fails(dirs, "linkdir/secret.png", "outside the content folder")


def test_relative_path_escape_is_refused(dirs):
    fails(dirs, "../secret.png", "'..' is not allowed")


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size; a decoder would try to allocate it all."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_pixel_bomb_refused_from_the_header(dirs):
    (dirs.content / "bomb.png").write_bytes(_png_header(100_000, 100_000))
    fails(dirs, "bomb.png", "over the limit")
    (dirs.content / "big.png").write_bytes(_png_header(8000, 6000))
    fails(dirs, "big.png", "over the limit", LimitsConfig(max_image_pixels=1_000_000))


def test_byte_limit(dirs):
    dirs.write_image("a.png", (64, 64, 3))
    fails(dirs, "a.png", "bytes, over the limit", LimitsConfig(max_image_bytes=100))


def test_image_digest_is_sha256_of_bytes():
    assert image_digest(b"abc").startswith("ba7816bf8f01cfea")
