"""Blank the metadata of a photo without changing its length.

A phone photo carries EXIF (GPS position, the phone's model and serial, the time to the
second) and sometimes XMP or Photoshop/IPTC blocks: on an anonymous tip that is an
identifier on disk. The upload slot (XEP-0363) was requested for an exact size, so the bytes
are blanked in place: a JPEG's APP1 (EXIF, XMP), APP3–APP13 and comment segments become
comments full of zeros, except that an EXIF block keeps one thing, the orientation, written
again as a minimal EXIF of its own (a portrait photo must not turn sideways); a PNG's
``eXIf``, ``tEXt``, ``zTXt``, ``iTXt`` and ``tIME`` chunks become a private chunk of zeros.
Image data, colour profiles (APP2 ICC, APP14 Adobe, ``iCCP``) and everything else is left
as it was. Anything that does not parse is returned unchanged.
"""

from __future__ import annotations

import struct
import zlib

_JPEG_BLANKED = {0xE1, *range(0xE3, 0xEE), 0xFE}  # APP1, APP3–APP13, COM
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_BLANKED = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_PNG_PRIVATE = b"dmPd"  # ancillary, private, safe to copy: every reader skips it
_EXIF = b"Exif\x00\x00"
_ORIENTATION = 0x0112


def blank_metadata(body: bytes) -> bytes:
    """`body` with its metadata blanked (same length), or unchanged when it is neither a
    JPEG nor a PNG or does not parse."""
    try:
        if body.startswith(b"\xff\xd8"):
            return _jpeg(body)
        if body.startswith(_PNG_SIGNATURE):
            return _png(body)
    except (IndexError, struct.error, ValueError):
        return body
    return body


def _jpeg(body: bytes) -> bytes:
    out = bytearray(body)
    pos = 2
    while pos + 4 <= len(out):
        if out[pos] != 0xFF:
            return body  # not a marker where one must be: leave the file alone
        marker = out[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xDA, 0xD9):  # start of scan (image data follows) or end of image
            break
        (length,) = struct.unpack(">H", out[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(out):
            return body
        if marker in _JPEG_BLANKED:
            start, end = pos + 4, pos + 2 + length
            payload = bytes(out[start:end])
            kept = _orientation_only(payload) if marker == 0xE1 else None
            if kept is not None:
                out[start:end] = kept
            else:
                out[pos + 1] = 0xFE
                out[start:end] = bytes(end - start)
        pos += 2 + length
    return bytes(out)


def _orientation_only(payload: bytes) -> bytes | None:
    """An EXIF APP1 payload of the same length holding only the orientation, or None (not
    EXIF, no orientation, or too short to hold it)."""
    if not payload.startswith(_EXIF):
        return None
    tiff = payload[len(_EXIF) :]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    orientation = None
    for i in range(min(count, 512)):
        entry = tiff[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == _ORIENTATION and kind == 3:
            (orientation,) = struct.unpack(order + "H", entry[8:10])
            break
    if orientation is None or not 1 <= orientation <= 8:
        return None
    minimal = (
        _EXIF
        + b"MM\x00\x2a"
        + struct.pack(">I", 8)
        + struct.pack(">H", 1)
        + struct.pack(">HHIHH", _ORIENTATION, 3, 1, orientation, 0)
        + struct.pack(">I", 0)
    )
    if len(minimal) > len(payload):
        return None
    return minimal + bytes(len(payload) - len(minimal))


def _png(body: bytes) -> bytes:
    out = bytearray(body)
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(out):
        (length,) = struct.unpack(">I", out[pos : pos + 4])
        kind = bytes(out[pos + 4 : pos + 8])
        end = pos + 12 + length
        if end > len(out):
            return body
        if kind in _PNG_BLANKED:
            out[pos + 4 : pos + 8] = _PNG_PRIVATE
            out[pos + 8 : pos + 8 + length] = bytes(length)
            crc = zlib.crc32(_PNG_PRIVATE + bytes(length)) & 0xFFFFFFFF
            out[pos + 8 + length : end] = struct.pack(">I", crc)
        if kind == b"IEND":
            break
        pos = end
    return bytes(out)
