"""Just enough of the MATLAB 5 file format to read the ILSVRC devkit's ``meta.mat``.

The devkit lists its classes in ``meta.mat`` (a struct array ``synsets`` with fields
``ILSVRC2012_ID`` and ``WNID``, among others); it is the authority for devkit class IDs when
no ``map_clsloc.txt`` is at hand. Reading it needs numeric, character, struct and cell
arrays, plain or zlib-compressed, little- or big-endian — no SciPy.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

MI_INT8, MI_UINT8, MI_INT16, MI_UINT16, MI_INT32, MI_UINT32 = 1, 2, 3, 4, 5, 6
MI_SINGLE, MI_DOUBLE, MI_INT64, MI_UINT64 = 7, 9, 12, 13
MI_MATRIX, MI_COMPRESSED, MI_UTF8, MI_UTF16, MI_UTF32 = 14, 15, 16, 17, 18
MX_CELL, MX_STRUCT, MX_CHAR = 1, 2, 4
_NUMERIC = {
    MI_INT8: "b",
    MI_UINT8: "B",
    MI_INT16: "h",
    MI_UINT16: "H",
    MI_INT32: "i",
    MI_UINT32: "I",
    MI_SINGLE: "f",
    MI_DOUBLE: "d",
    MI_INT64: "q",
    MI_UINT64: "Q",
}


class MatFileError(ValueError):
    """Not a MATLAB 5 file, or one this reader does not understand."""


class _Reader:
    def __init__(self, data: bytes, endian: str) -> None:
        self.data, self.endian = data, endian

    def elements(self, start: int = 0, end: int | None = None) -> list[tuple[int, bytes]]:
        """The (type, payload) data elements in ``data[start:end]``."""
        found, pos, end = [], start, len(self.data) if end is None else end
        while pos + 8 <= end:
            first, second = struct.unpack_from(self.endian + "II", self.data, pos)
            if first >> 16:  # small data element: type and size share the first word
                kind, size = first & 0xFFFF, first >> 16
                found.append((kind, self.data[pos + 4 : pos + 4 + size]))
                pos += 8
                continue
            kind, size = first, second
            payload = self.data[pos + 8 : pos + 8 + size]
            if len(payload) < size:
                raise MatFileError("truncated data element")
            if kind == MI_COMPRESSED:
                found.extend(_Reader(zlib.decompress(payload), self.endian).elements())
            else:
                found.append((kind, payload))
            pos += 8 + size + (-size % 8)
        return found

    def numbers(self, kind: int, payload: bytes) -> list[Any]:
        if kind in (MI_UTF8, MI_UTF16, MI_UTF32):
            order = "le" if self.endian == "<" else "be"
            encoding = {MI_UTF8: "utf-8", MI_UTF16: f"utf-16-{order}", MI_UTF32: f"utf-32-{order}"}
            return list(payload.decode(encoding[kind]))
        code = _NUMERIC.get(kind)
        if code is None:
            raise MatFileError(f"unsupported data type {kind}")
        count = len(payload) // struct.calcsize(code)
        return list(struct.unpack_from(f"{self.endian}{count}{code}", payload))

    def matrix(self, payload: bytes) -> Any:
        """A miMATRIX element: str for char arrays, list for numbers and cells, list of dicts
        for struct arrays (elements in MATLAB's column-major order)."""
        if not payload:
            return []
        parts = _Reader(payload, self.endian).elements()
        flags = self.numbers(*parts[0])
        dims = self.numbers(*parts[1])
        klass = flags[0] & 0xFF
        count = 1
        for dim in dims:
            count *= dim
        rest = parts[3:]
        if klass == MX_CHAR:
            codes = self.numbers(*rest[0]) if rest else []
            return "".join(c if isinstance(c, str) else chr(c) for c in codes)
        if klass == MX_CELL:
            return [self.matrix(p) for _, p in rest[:count]]
        if klass == MX_STRUCT:
            length = self.numbers(*rest[0])[0]
            raw = rest[1][1]
            names = [
                raw[i : i + length].split(b"\0", 1)[0].decode() for i in range(0, len(raw), length)
            ]
            values = [self.matrix(p) for _, p in rest[2:]]
            return [
                dict(zip(names, values[i * len(names) : (i + 1) * len(names)], strict=True))
                for i in range(count)
            ]
        return self.numbers(*rest[0]) if rest else []


def read_mat(path: str) -> dict[str, Any]:
    """The named variables of a MATLAB 5 file."""
    with open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 128 or not data.startswith(b"MATLAB 5.0 MAT-file"):
        raise MatFileError("not a MATLAB 5 MAT-file")
    endian = "<" if data[126:128] == b"IM" else ">"
    reader = _Reader(data, endian)
    variables: dict[str, Any] = {}
    for kind, payload in reader.elements(128):
        if kind != MI_MATRIX:
            continue
        parts = _Reader(payload, endian).elements()
        name = parts[2][1].decode("ascii", "replace") if len(parts) > 2 else ""
        variables[name] = reader.matrix(payload)
    return variables


def devkit_ids(path: str) -> dict[int, str]:
    """Devkit class ID → wnid from the devkit's ``meta.mat``."""
    synsets = read_mat(path).get("synsets")
    if not isinstance(synsets, list):
        raise MatFileError("no 'synsets' struct array")
    ids = {}
    for entry in synsets:
        try:
            ids[int(entry["ILSVRC2012_ID"][0])] = str(entry["WNID"])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise MatFileError(f"a synset without ILSVRC2012_ID or WNID ({exc})") from exc
    return ids
