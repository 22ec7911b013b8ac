#!/usr/bin/env python3
"""Draws the Orderdesk app icon set into src-tauri/icons with the standard library only.

The icons are committed; rerun this after changing the drawing. Tauri's codegen wants 8-bit
RGBA PNGs; the .ico and .icns wrap the same PNGs for Windows and macOS bundles.
"""
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src-tauri" / "icons"
BACKGROUND = (0x1F, 0x4E, 0x79)  # desk blue
FOREGROUND = (0xFF, 0xFF, 0xFF)


def coverage(x: float, y: float, size: int) -> tuple[float, float]:
    """Returns whether one sample point is on the rounded tile and on the ring, as 0.0 or 1.0."""
    c = size / 2
    r_corner = size * 0.2
    margin = size * 0.04
    lo, hi = margin + r_corner, size - margin - r_corner
    dx = max(lo - x, 0, x - hi)
    dy = max(lo - y, 0, y - hi)
    in_tile = dx * dx + dy * dy <= r_corner * r_corner and margin <= x <= size - margin and margin <= y <= size - margin
    d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
    in_ring = size * 0.2 <= d <= size * 0.31  # the "O" of Orderdesk
    return float(in_tile), float(in_tile and in_ring)


def render(size: int) -> bytes:
    samples = 4
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type None
        for px in range(size):
            tile = ring = 0.0
            for sy in range(samples):
                for sx in range(samples):
                    t, r = coverage(px + (sx + 0.5) / samples, py + (sy + 0.5) / samples, size)
                    tile += t
                    ring += r
            n = samples * samples
            tile, ring = tile / n, ring / n
            if tile == 0:
                row += bytes(4)
                continue
            mix = ring / tile
            rgb = [round(b * (1 - mix) + f * mix) for b, f in zip(BACKGROUND, FOREGROUND)]
            row += bytes(rgb + [round(255 * tile)])
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(images: dict[int, bytes]) -> bytes:
    entries, blobs = b"", b""
    offset = 6 + 16 * len(images)
    for size, data in sorted(images.items()):
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return struct.pack("<HHH", 0, 1, len(images)) + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    kinds = {128: b"ic07", 256: b"ic08", 512: b"ic09"}
    body = b"".join(kinds[s] + struct.pack(">I", len(d) + 8) + d for s, d in sorted(images.items()))
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    pngs = {s: render(s) for s in (16, 32, 48, 128, 256, 512)}
    (OUT / "32x32.png").write_bytes(pngs[32])
    (OUT / "128x128.png").write_bytes(pngs[128])
    (OUT / "128x128@2x.png").write_bytes(pngs[256])
    (OUT / "icon.png").write_bytes(pngs[512])
    (OUT / "icon.ico").write_bytes(ico({s: pngs[s] for s in (16, 32, 48, 256)}))
    (OUT / "icon.icns").write_bytes(icns({s: pngs[s] for s in (128, 256, 512)}))
    print(f"wrote icons to {OUT}")


if __name__ == "__main__":
    main()
