#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into fuzz/corpus/<target>/ (standard library only).
Usage: python3 fuzz/make_corpus.py"""
import io
import json
import os
import struct
import zipfile

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(here, target), exist_ok=True)
    with open(os.path.join(here, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def npy(descr, shape, payload, fortran=False, major=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    prefix = 10 if major == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if major == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + size + header.encode() + payload


values = [0.5 * i - 1.25 for i in range(12)]
f4 = struct.pack("<12f", *values)
put("npy", "f4_v1.npy", npy("<f4", "(3, 4)", f4))
put("npy", "f8_fortran_v2.npy", npy("<f8", "(3, 4)", struct.pack("<12d", *values), True, 2))
put("npy", "f2_v3.npy", npy("<f2", "(2, 2)", struct.pack("<4H", 0x3C00, 0xB800, 0x7BFF, 0x0001), False, 3))
put("npy", "big_endian.npy", npy(">f4", "(1, 2)", struct.pack(">2f", 1.5, -2.0)))
for method, name in ((zipfile.ZIP_STORED, "stored.npz"), (zipfile.ZIP_DEFLATED, "deflated.npz")):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        z.writestr("a.npy", npy("<f4", "(3, 4)", f4))
        z.writestr("b.npy", npy("<f8", "(2, 2)", struct.pack("<4d", 1, 2, 3, 4)))
    put("npz", name, buffer.getvalue())
header = json.dumps({"__metadata__": {"format": "pt"}, "t": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]}})
put("safetensors", "f32.safetensors", struct.pack("<Q", len(header)) + header.encode() + f4)
header = json.dumps({"t": {"dtype": "BF16", "shape": [1, 2], "data_offsets": [0, 4]}})
put("safetensors", "bf16.safetensors", struct.pack("<Q", len(header)) + header.encode() + struct.pack("<2H", 0x3F80, 0xC000))
put("fvecs", "rows.fvecs", b"".join(struct.pack("<i4f", 4, *values[4 * r:4 * r + 4]) for r in range(3)))
put("delimited", "header.csv", "x,y,z\n1,2,3\n-4.5,5e-1,6\n")
put("delimited", "plain.tsv", "1\t2\r\n3\t4\r\n")
put("delimited", "quoted.csv", '\ufeff"a,b","say ""hi""\nthere"\n"1",+2e0\r\n3, 4\n')
put("delimited", "ambiguous.csv", "0,1,2,3,4,5,6,7\n1,,1e400,3,4,5,6,7,\n")
put("mtx", "pattern_symmetric.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n% c\n4 4 3\n2 1\n3 2\n4 1\n")
put("mtx", "integer_general.mtx", "%%MatrixMarket matrix coordinate integer general\n3 3 2\n1 2 1\n2 1 1\n")
put("text_lists", "ids.txt", "\x03a\nb\nc\n")
put("text_lists", "metrics.csv", "model,acc,ppl\nb,0.5,10\na,0.7,12\nmodel,1,2\n")


def csr(n, indptr, indices, wide=False):
    """csr_fuzzer input: n, the value width (1 or 8 bytes), indptr, indices."""
    fmt = "<%dq" if wide else "<%db"
    values = list(indptr) + list(indices)
    return bytes([n, 1 if wide else 0]) + struct.pack(fmt % len(values), *values)


put("csr", "ring4.bin", csr(4, [0, 2, 4, 6, 8], [1, 3, 0, 2, 1, 3, 0, 2]))
put("csr", "unsorted_rows.bin", csr(3, [0, 1, 3, 4], [1, 2, 0, 1]))
put("csr", "indptr_past_indices.bin", csr(3, [0, 1, 100, 100], [1, 0]))
put("csr", "indptr_decreasing.bin", csr(3, [0, 2, 1, 2], [1, 0]))
put("csr", "index_2_pow_32_plus_1.bin", csr(3, [0, 1, 2, 2], [2**32 + 1, 0], wide=True))
put("csr", "huge_indptr.bin", csr(3, [0, 2**62, 2**62, 2], [1, 0], wide=True))

# fuzz/corpus/report/ (report_fuzzer: summary.json, latent_2d.csv, datum_tests.csv, annotations.csv joined by
# "\n====\n") is not written here: it is a real `datakernel compare` run (3 simulated models, n = 12, k = 3,
# --labels) with summary.json shortened (p_value_cdf every 25th point) and compacted to fit -max_len=8192.
