#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Makes the test data of this directory from the bundled go-images sample
(samples/go-images/manifest.json and generate-build-matrix.healthy.log), in
the formats of dotnet/docker-tools' ImageBuilder (see README.md here):

  image-info.windows-unchanged.json   a build's image-info whose Windows
                                      platforms are isUnchanged
  generate-build-matrix.windows-unchanged.log
                                      generateBuildMatrix --image-info of it:
                                      the Linux matrices, all their legs
  generate-build-matrix.trimmed.log   generateBuildMatrix --image-info ...
                                      --trim-cached-images where every Windows
                                      and every 1.25 image is cached: the
                                      Linux matrices with the 1.26 legs only
  generate-build-matrix.trimmed.broken.log
                                      the same, cut after the linuxArm64 line
                                      (the lost tail of docker-tools #2124)

Run it from the repository's root: python3 tests/data/imagebuilder/make-data.py
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CATEGORY = "Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0]"
PREFIX = "07:41:13 info: " + CATEGORY + " "
ARCH_DISPLAY = {"arm": "arm32", "arm64": "arm64", "amd64": "amd64"}


def read_matrices(log_lines):
    """The listing of the healthy log: [(matrix, [(leg, [(name, value)])])]."""
    matrices = []
    for line in log_lines:
        if not line.startswith(PREFIX):
            continue
        msg = line[len(PREFIX):]
        m = re.match(r"^(  |    |      )(\S.*)$", msg)
        if not m:
            continue
        depth, text = len(m.group(1)), m.group(2)
        if depth == 2:
            matrices.append((text[:-1], []))
        elif depth == 4:
            matrices[-1][1].append((text[:-1], []))
        else:
            name, value = text.split(": ", 1)
            matrices[-1][1][-1][1].append((name, value))
    return matrices


def listing(matrices):
    """GenerateBuildMatrixCommand.LogDiagnostics, through the console logger."""
    out = []
    for name, legs in matrices:
        out.append(PREFIX + "  " + name + ":")
        for leg, variables in legs:
            out.append(PREFIX + "    " + leg + ":")
            out.extend(PREFIX + "      %s: %s" % v for v in variables)
    return out


def vso_lines(matrices):
    """EmitVstsVariables, pre-#2125 (through the logger, with its prefix)."""
    out = []
    for name, legs in matrices:
        value = ",".join(' "%s": {%s }' % (leg, ",".join(' "%s": "%s"' % v for v in variables))
                         for leg, variables in sorted(legs))
        out.append(PREFIX + "##vso[task.setvariable variable=%s;isoutput=true]{%s}" % (name, value))
    return out


def keep_legs(matrices, keep):
    kept = [(name, [leg for leg in legs if keep(name, leg)]) for name, legs in matrices]
    return [m for m in kept if m[1]]


def image_info(manifest):
    """A build's image-info.json (Models/Image): every platform of the
    manifest, the Windows ones isUnchanged."""
    repos = []
    for repo in manifest["repos"]:
        images = []
        for image in repo["images"]:
            platforms = []
            for p in image["platforms"]:
                arch = p.get("architecture", "amd64")
                windows = p["os"] == "windows"
                entry = {
                    "dockerfile": p["dockerfile"] + "/Dockerfile",
                    "simpleTags": sorted(p.get("tags", {}).keys()),
                    "digest": "mcr.microsoft.com/%s@sha256:%064x" % (repo["name"], len(platforms) + 1),
                    "osType": "Windows" if windows else "Linux",
                    "osVersion": p["osVersion"],
                    "architecture": ARCH_DISPLAY[arch],
                    "created": "2026-05-25T07:00:00.0000000Z",
                    "commitUrl": "https://github.com/microsoft/go-images/blob/0000000/%s/Dockerfile" % p["dockerfile"],
                    "layers": [],
                }
                if windows:
                    entry["isUnchanged"] = True
                platforms.append(entry)
            images.append({"productVersion": image["productVersion"], "platforms": platforms})
        repos.append({"repo": repo["name"], "images": images})
    return {"schemaVersion": "2.0", "repos": repos}


def cache_lines(manifest, cached):
    """GetPlatformsAsync with --trim-cached-images: one line per platform."""
    out = [PREFIX + "Trimming platforms based on image cache state..."]
    for repo in manifest["repos"]:
        for image in repo["images"]:
            for p in image["platforms"]:
                hit = cached(p["dockerfile"])
                out.append(PREFIX + "Image '%s/Dockerfile' cache state is %s. Included in matrix: %s"
                           % (p["dockerfile"], "Cached" if hit else "NotCached", "False" if hit else "True"))
    return out


def write(name, lines):
    with open(os.path.join(HERE, name), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    with open(os.path.join(ROOT, "samples/go-images/generate-build-matrix.healthy.log")) as f:
        log = f.read().splitlines()
    with open(os.path.join(ROOT, "samples/go-images/manifest.json")) as f:
        manifest = json.load(f)
    start = next(i for i, l in enumerate(log) if l.endswith("GENERATING BUILD MATRIX"))
    head = log[:start + 1]
    matrices = read_matrices(log)

    with open(os.path.join(HERE, "image-info.windows-unchanged.json"), "w") as f:
        json.dump(image_info(manifest), f, indent=2)
        f.write("\n")
    linux = keep_legs(matrices, lambda name, leg: name.startswith("linux"))
    write("generate-build-matrix.windows-unchanged.log", head + listing(linux) + vso_lines(linux))

    cached = lambda path: "/windows/" in path or "/1.25/" in path
    trimmed = keep_legs(matrices, lambda name, leg: name.startswith("linux") and "-1.26-" in leg[0])
    lines = head + cache_lines(manifest, cached) + listing(trimmed) + vso_lines(trimmed)
    write("generate-build-matrix.trimmed.log", lines)
    cut = next(i for i, l in enumerate(lines) if "variable=linuxArm64;" in l)
    write("generate-build-matrix.trimmed.broken.log", lines[:cut + 1])


if __name__ == "__main__":
    main()
