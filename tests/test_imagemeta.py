"""A photo's metadata is blanked in place: same length, image data untouched."""

from __future__ import annotations

import struct
import zlib

from test_media_xmpp import PNG

from kernel.imagemeta import blank_metadata

SECRET = b"GPS 13.7563N 100.5018E serial SN-448812"


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _exif(orientation: int | None, order: str = "<") -> bytes:
    """EXIF with IFD0 = (Make: an ASCII text at an offset, Orientation when given)."""
    bom = b"II" if order == "<" else b"MM"
    entries = [(0x010F, 2, len(SECRET), 8 + 2 + 12 * 2 + 4)]
    if orientation is not None:
        entries.append((0x0112, 3, 1, orientation))
    ifd = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        if kind == 3:
            ifd += struct.pack(order + "HHIHH", tag, kind, count, value, 0)
        else:
            ifd += struct.pack(order + "HHII", tag, kind, count, value)
    ifd += bytes(12 * (2 - len(entries)))  # keep the text's offset fixed
    ifd += struct.pack(order + "I", 0)
    return b"Exif\x00\x00" + bom + struct.pack(order + "HI", 42, 8) + ifd + SECRET


SCAN = b"\x12\x34\xff\x00\x56" * 20


def _jpeg(*segments: bytes) -> bytes:
    head = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    return b"\xff\xd8" + head + b"".join(segments) + _segment(0xDA, b"\x01\x01\x00\x00?\x00") \
        + SCAN + b"\xff\xd9"


def _segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 2
    while jpeg[pos + 1] != 0xDA:
        (n,) = struct.unpack(">H", jpeg[pos + 2 : pos + 4])
        out.append((jpeg[pos + 1], jpeg[pos + 4 : pos + 2 + n]))
        pos += 2 + n
    return out


def _orientation(payload: bytes) -> int:
    tiff = payload[6:]
    order = "<" if tiff[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for i in range(count):
        tag, _kind, _n, value = struct.unpack(order + "HHIH", tiff[ifd + 2 + 12 * i :][:10])
        if tag == 0x0112:
            return value
    raise AssertionError("no orientation")


def test_jpeg_exif_keeps_only_the_orientation() -> None:
    for order in ("<", ">"):
        photo = _jpeg(_segment(0xE1, _exif(6, order)), _segment(0xFE, b"taken by " + SECRET))
        out = blank_metadata(photo)
        assert len(out) == len(photo) and SECRET not in out
        segments = _segments(out)
        assert [m for m, _ in segments] == [0xE0, 0xE1, 0xFE]
        assert _orientation(segments[1][1]) == 6
        assert segments[2][1] == bytes(len(segments[2][1]))
        assert out.endswith(SCAN + b"\xff\xd9")  # the image data as it was


def test_jpeg_xmp_and_exif_without_orientation_become_empty_comments() -> None:
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + SECRET + b"</x:xmpmeta>"
    icc = b"ICC_PROFILE\x00\x01\x01" + b"profile"
    photo = _jpeg(_segment(0xE1, _exif(None)), _segment(0xE1, xmp), _segment(0xE2, icc))
    out = blank_metadata(photo)
    assert len(out) == len(photo) and SECRET not in out
    assert [m for m, _ in _segments(out)] == [0xE0, 0xFE, 0xFE, 0xE2]
    assert icc in out  # colour profile kept


def test_png_text_chunks_are_blanked_with_valid_crcs() -> None:
    data = b"Comment\x00" + SECRET
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    photo = PNG[:33] + chunk + PNG[33:]
    out = blank_metadata(photo)
    assert len(out) == len(photo) and SECRET not in out and out[33:].endswith(PNG[33:])
    blanked = out[33 : 33 + len(chunk)]  # a private chunk of zeros whose CRC checks
    (n,) = struct.unpack(">I", blanked[:4])
    assert blanked[4:8] == b"dmPd" and blanked[8 : 8 + n] == bytes(n)
    assert struct.unpack(">I", blanked[8 + n :])[0] == zlib.crc32(b"dmPd" + bytes(n)) & 0xFFFFFFFF
    assert blank_metadata(PNG) == PNG


def test_anything_else_passes_unchanged() -> None:
    for body in (b"", b"%PDF-1.7 " + SECRET, b"\xff\xd8\xff\xe1\xff\xff" + SECRET,
                 b"\xff\xd8garbage", PNG[:20]):
        assert blank_metadata(body) == body
