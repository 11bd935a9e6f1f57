#!/usr/bin/env python3
"""Prints the table of Sources/LeakWatchCore/Rules/ByteRarity.swift: for each byte, how
rare it is in the text files under samples/ (real logs, captures and traces), in tenths of
a bit (-10 * log2 of its share of all bytes, add-one smoothed, ASCII case folded).

Usage: python3 scripts/byte-rarity.py   (run from the repository root)
"""
import math
import os

counts = [0] * 256
total = 0
for root, _, files in sorted(os.walk("samples")):
    for name in sorted(files):
        if name.endswith((".gz", ".zst", ".bz2", ".xz", ".br")):
            continue
        data = open(os.path.join(root, name), "rb").read()
        if b"\x00" in data[:4096]:
            continue
        for byte in data:
            counts[byte] += 1
        total += len(data)
for upper in range(0x41, 0x5B):  # the prefilter ignores ASCII case
    counts[upper + 0x20] += counts[upper]
    counts[upper] = counts[upper + 0x20]
tenths = [min(255, round(-10 * math.log2((c + 1) / (total + 256)))) for c in counts]
for row in range(0, 256, 16):
    print("        " + ", ".join("%3d" % t for t in tenths[row:row + 16]) + ",")
print(f"// {total} bytes")
