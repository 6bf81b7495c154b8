"""Uploaded files: multipart parts, image sizes, and resolving InputFile parameters."""

from __future__ import annotations

import mimetypes
import struct
import zlib
from dataclasses import dataclass

from . import errors
from .errors import ApiError, bad_request
from .state import BotState, StoredFile

MAX_UPLOAD = 50 * 1024 * 1024  # bots may upload files up to 50 MB
MAX_DOWNLOAD = 20 * 1024 * 1024  # and download files up to 20 MB with getFile


@dataclass
class Upload:
    """A file part of a multipart/form-data request."""

    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, None if not recognised."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def _mime_type(upload: Upload) -> str:
    if upload.content_type and upload.content_type != "application/octet-stream":
        return upload.content_type
    guessed, _ = mimetypes.guess_type(upload.filename or "")
    return guessed or "application/octet-stream"


def resolve_file(state: BotState, value: object, kind: str) -> StoredFile:
    """Turn a `document`/`photo` parameter (upload or file_id) into a stored file."""
    if value is None or value == "":
        raise bad_request(f"Bad Request: there is no {kind} in the request")
    if isinstance(value, str):
        return _known_file(state, value, kind)
    if not isinstance(value, Upload):
        raise bad_request(errors.WRONG_FILE_ID)
    if not value.data:
        raise bad_request(errors.FILE_EMPTY)
    if len(value.data) > MAX_UPLOAD:
        raise ApiError(413, "Request Entity Too Large")
    if kind == "document":
        return state.store_file(value.data, kind, value.filename, _mime_type(value))
    size = image_size(value.data)
    if size is None:
        raise bad_request(errors.IMAGE_PROCESS_FAILED)
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request(errors.PHOTO_INVALID_DIMENSIONS)
    stored = state.store_file(value.data, kind, value.filename, _mime_type(value))
    stored.width, stored.height = width, height
    return stored


def _known_file(state: BotState, file_id: str, kind: str) -> StoredFile:
    if file_id.startswith(("http://", "https://")):
        raise bad_request(errors.URL_NOT_FETCHED)  # the emulator never fetches URLs
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request(errors.WRONG_FILE_ID)
    if stored.kind != kind:
        raise bad_request(errors.FILE_TYPE_MISMATCH)
    return stored


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG image, for sendPhoto tests."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body)
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )
