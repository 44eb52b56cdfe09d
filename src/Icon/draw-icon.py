#!/usr/bin/env python3
"""Draws icon.png, the packages' icon (ours): the contour lines of a loss surface, the trials a tuner tried, and the best one.

Standard library only (zlib): python3 src/Icon/draw-icon.py writes src/Icon/icon.png. 128 x 128, RGBA, 4x4 supersampled.
"""
import math
import os
import struct
import zlib

SIZE, SS = 128, 4
BG = (22, 41, 84)          # deep blue
RING = (96, 165, 250)      # contour lines
TRIAL = (203, 213, 225)    # tried points
BEST = (249, 115, 22)      # the best trial
CENTER = (0.60, 0.42)      # the optimum, in unit coordinates
TRIALS = [(0.22, 0.25), (0.30, 0.72), (0.80, 0.78), (0.45, 0.55), (0.74, 0.24), (0.52, 0.36), (0.66, 0.50)]


def loss(x, y):
    dx, dy = x - CENTER[0], y - CENTER[1]
    # a tilted bowl: elliptic contours
    u, v = 0.87 * dx + 0.5 * dy, -0.5 * dx + 0.87 * dy
    return math.sqrt(u * u / 1.0 + v * v / 0.45)


def shade(x, y):
    """The colour at (x, y) in unit coordinates, or None outside the rounded square."""
    r, m = 0.18, 0.02
    qx, qy = min(max(x, m + r), 1 - m - r), min(max(y, m + r), 1 - m - r)
    if (x - qx) ** 2 + (y - qy) ** 2 > r * r or not (m <= x <= 1 - m and m <= y <= 1 - m):
        return None
    for (tx, ty) in TRIALS:
        if (x - tx) ** 2 + (y - ty) ** 2 < 0.042 ** 2:
            return TRIAL
    if (x - CENTER[0]) ** 2 + (y - CENTER[1]) ** 2 < 0.075 ** 2:
        return BEST
    level = loss(x, y) / 0.17
    if level > 0.8 and abs(level - round(level)) < 0.075:
        return RING
    return BG


def main():
    rows = []
    for py in range(SIZE):
        row = bytearray([0])
        for px in range(SIZE):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    c = shade((px + (sx + 0.5) / SS) / SIZE, (py + (sy + 0.5) / SS) / SIZE)
                    if c is not None:
                        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
            n = SS * SS
            a = acc[3] / n
            if a == 0:
                row += bytes(4)
            else:
                row += bytes([round(acc[0] * 255 / acc[3]), round(acc[1] * 255 / acc[3]), round(acc[2] * 255 / acc[3]), round(a)])
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
