#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerates the seed corpora in tests/fuzz/corpus/{scan,command,json}/.

usage: tests/fuzz/make-corpus.py   (from anywhere; rewrites the three directories)

Sources: tests/data/azure-agent-vectors.json (agent and task-lib lines),
samples/go-images/*.log, samples/go-images/manifest.json and the matrix
values of the logs' task.setvariable commands, and tests/data/imagebuilder
(a trimmed log's listing, an image-info file).  File names are the SHA-1 of
the content, as libFuzzer names its own; the whole corpus stays well under
300 KB.

fuzz_scan's input layout: byte 0 = number of chunk-size bytes (mod 16), then
those sizes, then one byte for max_line (mod 64, 0 = none), then the stream.
"""
import hashlib
import json
import os
import re
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def put(kind, data, seen):
    if data in seen[kind]:
        return
    seen[kind].add(data)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(OUT, kind, name), "wb") as f:
        f.write(data)


def scan_input(stream, sizes=(), max_line=0):
    return bytes([len(sizes)]) + bytes(sizes) + bytes([max_line]) + stream


def main():
    vectors = json.loads(read("tests/data/azure-agent-vectors.json"))
    logs = [read("samples/go-images/" + n) for n in (
        "generate-build-matrix.healthy.log",
        "generate-build-matrix.broken.log",
        "generate-build-matrix.healthy.post2125.log")]
    manifest = read("samples/go-images/manifest.json")

    for kind in ("scan", "command", "json"):
        shutil.rmtree(os.path.join(OUT, kind), ignore_errors=True)
        os.makedirs(os.path.join(OUT, kind))
    seen = {"scan": set(), "command": set(), "json": set()}

    lines = []
    for v in vectors["agent_parse"] + vectors["tasklib_parse"]:
        lines.append(v["line"].encode("utf-8", "surrogateescape"))
    for v in vectors["tasklib_command"] + vectors["tasklib_format"]:
        if "expect" in v:
            lines.append(v["expect"].encode())
        for extra in v.get("expect_lines", []):
            lines.append(extra.encode())
    for before, _after in vectors["deactivate_vso"]["cases"]:
        if before:
            lines.append(before.encode())
    for log in logs:
        lines.extend(l for l in log.splitlines() if b"##vso" in l)
    lines += [
        b"##vso[task.setvariable variable=test%AZP25;isoutput=true]a%AZP25%3B%0D%0A%5D",
        b"  + ##vso[task.setvariable variable=x; isOutput=true;;=v;k==v;k2=a=b]data]more##vso[a.b]",
        b"##vso[task..setvariable]x", b"##vso[.task.setvariable.]", b"##vso[ task.x]", b"##VSO[a.b]c",
        b"##vso[task.setsecret]s3cr3t",
        b"##vso[task.setvariable variable=s;issecret=true;isoutput=true]s3cr3t",
        b"##vso[task.setvariable variable=m;issecret=true]a%0Ab",
        b"##vso[a.b k=\x00\xff;\xc3\xa9=\xe2\x82]\x00\xfe##vso[",
        # keys equal under OrdinalIgnoreCase though their bytes differ (each invalid byte is U+FFFD)
        b"##vso[a.b k\xe7=1;K\xff=2]d",
    ]

    # command: one line per file
    for l in lines:
        put("command", l, seen)

    # scan: the logs whole (one shot, and in a few chunkings) and mixed vectors
    for i, log in enumerate(logs):
        put("scan", scan_input(log), seen)
        put("scan", scan_input(log[:4096], (1, 7, 64, 255, 3), 40 if i == 0 else 0), seen)
    mixed = b"a\nb\r\n\r\rc\0d\xff\xfe\r\r\n\n##vso[a.b]c\r\n##v\rso[x.y]\n###vso[q.r]\0s\r\n##vs\rz##vso"
    put("scan", scan_input(mixed, (1,)), seen)
    put("scan", scan_input(mixed, (2, 3, 5, 1), 8), seen)
    joined = b""
    for k, l in enumerate(lines[:60]):
        joined += l + (b"\n", b"\r\n", b"\r")[k % 3]
    put("scan", scan_input(joined, (13, 1, 6, 200), 0), seen)
    put("scan", scan_input(joined, (5,), 17), seen)
    put("scan", scan_input(b"Password: ##vso[task.setvariable variable=p]x\r", (11, 1, 1, 1, 1, 1, 30)), seen)
    # the generator's announcement, cut anywhere (fuzz_scan's check (d))
    trimmed = read("tests/data/imagebuilder/generate-build-matrix.trimmed.log")
    listing = b"\n".join(l for l in trimmed.splitlines() if b"GenerateBuildMatrixCommand" in l)
    put("scan", scan_input(listing[:6000], (1, 3, 70, 7, 255, 2)), seen)
    put("scan", scan_input(listing[:6000].replace(b"\n", b"\r\n"), (71, 9, 33)), seen)

    # json: matrix values, the manifest, small edge cases
    for log in logs:
        for m in re.finditer(rb"##vso\[task\.setvariable[^]]*\](.*)", log):
            if m.group(1):
                put("json", m.group(1).rstrip(b"\r"), seen)
    put("json", manifest, seen)
    put("json", read("tests/data/imagebuilder/image-info.windows-unchanged.json"), seen)
    inc = json.loads(manifest)
    inc["includes"] = ["include.json"]
    put("json", json.dumps(inc, indent=1).encode(), seen)
    put("json", b"{'a':{'myvar':'A'}, 'b':{'myvar':'B'}}", seen)
    put("json", b'{"leg":{"k":"v","k":"w","n":1}}', seen)
    put("json", b'{"x":{"v":"a\\u0000b"}}', seen)
    put("json", b'{"repos":[{"name":"r","images":[{"platforms":[{"dockerfile":"src/a/Dockerfile",'
                b'"os":"Windows","osVersion":"nanoserver-ltsc2022","architecture":"ARM64","tags":{}}]}]}]}', seen)
    put("json", b"[]", seen)

    total = 0
    for kind in seen:
        d = os.path.join(OUT, kind)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        total += size
        print(f"{kind}: {len(os.listdir(d))} files, {size} bytes")
    print(f"total: {total} bytes")
    assert total < 300 * 1024, "the corpus must stay under 300 KB"


if __name__ == "__main__":
    main()
