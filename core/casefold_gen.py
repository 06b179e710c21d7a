#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates core/casefold_table.c from the Unicode Character Database.

    python3 core/casefold_gen.py [UnicodeData.txt] > core/casefold_table.c

The default input is Debian's unicode-data package
(/usr/share/unicode/UnicodeData.txt; bookworm ships 15.0.0, the version .NET 8
built its CharUnicodeInfo tables from and the version of bookworm's ICU 72).
The output is committed, so a build needs neither this script nor the
package; tests/unit/test_casefold.c checks the table against known mappings.

Two tables come out of UnicodeData.txt:

1. Ordinal upper-casing, as .NET 8 compares strings with
   StringComparison.OrdinalIgnoreCase (Ordinal.EqualsIgnoreCase ->
   OrdinalCasing.CompareStringIgnoreCase): each BMP char is upper-cased with
   ICU's u_toupper (field 12, the simple uppercase mapping) except U+0131 and
   U+017F, which pal_casing.c (GlobalizationNative_InitOrdinalCasingPage)
   keeps as they are; a surrogate pair is upper-cased with
   CharUnicodeInfo.ToUpper, generated from the same field 12 less U+0130,
   U+0131, U+017F (GenUnicodeProp/CategoryCasingInfo.cs).  Both rules give
   one map over all code points: field 12 without U+0131 and U+017F.

2. Regex case equivalence, as .NET 8's RegexOptions.IgnoreCase matches a
   char (RegexCaseEquivalences, built by
   System.Text.RegularExpressions/tools/GenerateRegexCasingTable): BMP chars
   joined with their simple lowercase mapping (field 13), U+0130 left out;
   the i/I/U+0130/U+0131 rule depends on the culture and is applied in C
   (casefold.c).  Used by the settableVariables glob (core/glob.c), which
   the agent matches with Minimatch's regexes.
"""
import sys

UNICODE_DATA = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode/UnicodeData.txt"

LICENSE = """\
 * UNICODE, INC. LICENSE AGREEMENT - DATA FILES AND SOFTWARE
 *
 * COPYRIGHT AND PERMISSION NOTICE
 *
 * Copyright (c) 1991-2022 Unicode, Inc. All rights reserved.
 * Distributed under the Terms of Use in https://www.unicode.org/copyright.html.
 *
 * Permission is hereby granted, free of charge, to any person obtaining
 * a copy of the Unicode data files and any associated documentation
 * (the "Data Files") or Unicode software and any associated documentation
 * (the "Software") to deal in the Data Files or Software
 * without restriction, including without limitation the rights to use,
 * copy, modify, merge, publish, distribute, and/or sell copies of
 * the Data Files or Software, and to permit persons to whom the Data Files
 * or Software are furnished to do so, provided that either
 * (a) this copyright and permission notice appear with all copies
 * of the Data Files or Software, or
 * (b) this copyright and permission notice appear in associated
 * Documentation.
 *
 * THE DATA FILES AND SOFTWARE ARE PROVIDED "AS IS", WITHOUT WARRANTY OF
 * ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
 * WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 * NONINFRINGEMENT OF THIRD PARTY RIGHTS.
 * IN NO EVENT SHALL THE COPYRIGHT HOLDER OR HOLDERS INCLUDED IN THIS
 * NOTICE BE LIABLE FOR ANY CLAIM, OR ANY SPECIAL INDIRECT OR CONSEQUENTIAL
 * DAMAGES, OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE,
 * DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER
 * TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR
 * PERFORMANCE OF THE DATA FILES OR SOFTWARE.
 *
 * Except as contained in this notice, the name of a copyright holder
 * shall not be used in advertising or otherwise to promote the sale,
 * use or other dealings in these Data Files or Software without prior
 * written authorization of the copyright holder."""


def read_mappings(path):
    upper, lower = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split(";")
            if len(fields) != 15:
                sys.exit(f"casefold_gen.py: {path}: not UnicodeData.txt (a line of {len(fields)} fields)")
            cp = int(fields[0], 16)
            if fields[12]:
                upper[cp] = int(fields[12], 16)
            if fields[13]:
                lower[cp] = int(fields[13], 16)
    return upper, lower


def ordinal_upper(upper):
    table = {cp: up for cp, up in upper.items() if cp not in (0x0131, 0x017F)}
    for cp, up in table.items():
        # ASCII maps to ASCII and nothing else reaches it: the C code relies on that
        if (cp < 0x80) != (up < 0x80):
            sys.exit(f"casefold_gen.py: U+{cp:04X} upper-cases across ASCII (U+{up:04X})")
        if (cp > 0xFFFF) != (up > 0xFFFF):
            sys.exit(f"casefold_gen.py: U+{cp:04X} upper-cases across the BMP boundary")
    return {cp: up for cp, up in table.items() if cp >= 0x80}


def regex_classes(lower):
    """GenerateMapAndValuesFromCasingTable: every BMP char and its lowercase in one class."""
    class_of, classes = {}, []
    for cp in sorted(lower):
        low = lower[cp]
        a, b = class_of.get(cp), class_of.get(low)
        if a is None and b is None:
            class_of[cp] = class_of[low] = len(classes)
            classes.append({cp, low})
        elif a is None:
            class_of[cp] = b
            classes[b].add(cp)
        elif b is None:
            class_of[low] = a
            classes[a].add(low)
        elif a != b:
            sys.exit(f"casefold_gen.py: U+{cp:04X} and U+{low:04X} in two classes")
    return class_of, classes


def runs(mapping):
    """Sorted keys in runs of (first, last, stride, delta): keys first, first+stride, ... last
    all map to key + delta.  A run holds no key of another run, so a binary search finds it."""
    out = []
    for key in sorted(mapping):
        delta = mapping[key] - key
        if out:
            first, last, stride, d = out[-1]
            step = key - last
            if d == delta and ((first == last and step in (1, 2)) or step == stride):
                out[-1] = (first, key, step, d)
                continue
        out.append((key, key, 1, delta))
    return out


def lookup(rs, cp):
    for first, last, stride, delta in rs:
        if first <= cp <= last and (cp - first) % stride == 0:
            return cp + delta
    return None


def write_runs(out, name, rs):
    out.write(f"const vso_case_run {name}[] = {{\n")
    for i in range(0, len(rs), 3):
        row = " ".join(f"{{0x{a:04X}, 0x{b:04X}, {s}, {d}}}," for a, b, s, d in rs[i:i + 3])
        out.write(f"    {row}\n")
    out.write("};\n")
    out.write(f"const size_t {name[:-5]}_n = {len(rs)};\n\n")


def main():
    upper, lower = read_mappings(UNICODE_DATA)
    up = ordinal_upper(upper)
    low = {cp: lo for cp, lo in lower.items() if cp <= 0xFFFF and cp != 0x0130}
    class_of, classes = regex_classes(low)
    first_pre, extra_pre = {}, []
    for cp in sorted(low):
        if low[cp] in first_pre:
            extra_pre.append((low[cp], cp))
        else:
            first_pre[low[cp]] = cp
    up_runs, low_runs, pre_runs = runs(up), runs(low), runs(first_pre)
    # the runs give back every mapping, and the classes the C code builds
    # from them ({lower} and every char lowering to it) are the tool's
    for cp in range(0x110000):
        if lookup(up_runs, cp) != up.get(cp) or (cp <= 0xFFFF and lookup(low_runs, cp) != low.get(cp)):
            sys.exit(f"casefold_gen.py: the runs map U+{cp:04X} wrongly")
    for cp, row in class_of.items():
        target = low.get(cp, cp)
        built = {target} | {x for x in (lookup(pre_runs, target),) if x is not None}
        built |= {x for t, x in extra_pre if t == target}
        if built != classes[row] or len(built) > 4:
            sys.exit(f"casefold_gen.py: the class of U+{cp:04X} comes out wrong")
    out = sys.stdout
    out.write("/* SPDX-License-Identifier: MIT AND Unicode-DFS-2016 */\n")
    out.write("/* GENERATED by core/casefold_gen.py from UnicodeData.txt of the Unicode\n")
    out.write(" * Character Database 15.0.0 (Debian bookworm's unicode-data 15.0.0-1,\n")
    out.write(" * /usr/share/unicode/UnicodeData.txt).  Do not edit; run the script again.\n")
    out.write(" * The tables are derived from the Unicode Data Files under this notice:\n *\n")
    out.write(LICENSE + "\n *\n")
    out.write(" * Modified: only the simple uppercase and lowercase mappings are kept,\n")
    out.write(" * reduced as casefold_gen.py explains, in runs {first, last, stride, delta}. */\n")
    out.write('#include "casefold.h"\n\n')
    out.write("/* Ordinal upper-casing of the code points above U+007F that have one. */\n")
    write_runs(out, "vso_upper_runs", up_runs)
    out.write("/* Regex case classes: the simple lowercase mapping in the BMP (U+0130 left out), */\n")
    write_runs(out, "vso_lower_runs", low_runs)
    out.write("/* the first char (lowest) lowering to each lowercase char, */\n")
    write_runs(out, "vso_unlower_runs", pre_runs)
    out.write("/* and the others. */\n")
    out.write("const vso_case_pair vso_unlower_more[] = {\n")
    for t, x in extra_pre:
        out.write(f"    {{0x{t:04X}, 0x{x:04X}}},\n")
    out.write("};\n")
    out.write(f"const size_t vso_unlower_more_n = {len(extra_pre)};\n")


if __name__ == "__main__":
    main()
