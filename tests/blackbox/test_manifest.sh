#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Matrix awareness: expected names from manifest.json, matrix values checked,
# the incident reproduced end to end with the race generator.
. "$(dirname "$0")/lib.sh"
: "${SAMPLES:?}"
out=$WORK/out.txt err=$WORK/err.txt
GO=$SOURCE_DIR/samples/go-images/manifest.json
DOTNET=$SOURCE_DIR/samples/dotnet-docker/manifest.json

"$VSORELAY" expect --manifest "$GO" >"$out" 2>"$err"
check_eq "expect go-images: exit 0" 0 $?
check_eq "expect go-images: names in emission order" "linuxArm32 linuxArm64 linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
"$VSORELAY" expect --manifest "$DOTNET" >"$out" 2>"$err"
check_eq "expect dotnet-docker: exit 0" 0 $?
check_eq "expect dotnet-docker: six names" "linuxArm32 linuxArm64 linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64 windows1809Amd64" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
check_grep "expect dotnet-docker: missing include is a warning" "manifest.versions.json" "$err"
"$VSORELAY" expect --manifest "$GO" --os-type linux >"$out" 2>"$err"
check_eq "--os-type linux" "linuxArm32 linuxArm64 linuxAmd64" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
"$VSORELAY" expect --manifest "$GO" --architecture amd64 >"$out" 2>"$err"
check_eq "--architecture amd64" "linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
"$VSORELAY" expect --manifest "$GO" --os-type windows --os-version '*ltsc2022' >"$out" 2>"$err"
check_eq "--os-version glob" "windowsLtsc2022Amd64" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
"$VSORELAY" expect --manifest "$GO" --path 'src/microsoft/1.25/bookworm' >"$out" 2>"$err"
check_eq "--path" "linuxArm32 linuxArm64 linuxAmd64" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
"$VSORELAY" expect --manifest "$GO" --format json >"$out" 2>"$err"
check "--format json parses" node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse); if(l.length!==5||l[2].name!=="linuxAmd64"||!l[2].platforms.some(p=>p.dockerfile==="src/microsoft/1.26/bookworm"&&p.architecture==="amd64")) process.exit(1)' "$out"

printf '{ "repos": [ { "name": "x", "images": [ { "platforms": [ { "dockerfile": "a", "os": 5 } ] } ] } ] }' >"$WORK/bad.json"
"$VSORELAY" expect --manifest "$WORK/bad.json" >"$out" 2>"$err"
check_eq "malformed manifest: exit 2" 2 $?
check_grep "malformed manifest: JSON path" '$.repos[0].images[0].platforms[0].os' "$err"
printf '{ "repos": [' >"$WORK/trunc.json"
"$VSORELAY" expect --manifest "$WORK/trunc.json" >"$out" 2>"$err"
check_eq "truncated manifest: exit 2" 2 $?
"$VSORELAY" expect >"$out" 2>"$err"
check_eq "expect without --manifest: exit 2" 2 $?

# replay/run with --manifest
"$VSORELAY" replay --manifest "$GO" "$BROKEN" >"$out" 2>"$err"
check_eq "replay --manifest broken: exit 3" 3 $?
"$VSORELAY" replay --manifest "$GO" "$HEALTHY" >"$out" 2>"$err"
check_eq "replay --manifest healthy: exit 0" 0 $?

# matrix values: {} and "not json" fail like a missing one, with the reason
printf '%s\n' '##vso[task.setvariable variable=linuxAmd64;isoutput=true]{}' '##vso[task.setvariable variable=linuxArm64;isoutput=true]not json' \
  "##vso[task.setvariable variable=ok;isoutput=true]{'a':{'myvar':'A'}, 'b':{'myvar':'B'}}" >"$WORK/values.log"
"$VSORELAY" run --matrix -e linuxAmd64,linuxArm64,ok -- cat "$WORK/values.log" >"$out" 2>"$err"
check_eq "bad matrix values: exit 3" 3 $?
check_grep "{} fails: no legs" "expected output variable invalid: linuxAmd64. Not a usable build matrix: no legs." "$err"
check_grep "not json fails with offset" "expected output variable invalid: linuxArm64. Not a usable build matrix: JSON parse error at byte" "$err"
check_no_grep "single-quoted form accepted" ": ok." "$err"
check_eq "bad matrix values: nothing re-emitted" 0 "$(grep -c '^##vso\[task.setvariable' "$out")"

# the incident end to end: exactly the lost names, and recovery with --retries
gen=$SAMPLES/race-generator
"$VSORELAY" run --manifest "$GO" -- "$gen" --lose-from linuxAmd64 >"$out" 2>"$err"
check_eq "race --manifest, tail lost: exit 3" 3 $?
check_eq "race --manifest: exactly the lost names" "linuxAmd64 windowsLtsc2025Amd64 windowsLtsc2022Amd64" \
  "$(sed -n 's/^vsorelay: expected output variable missing (never set): \([A-Za-z0-9]*\): .*/\1/p' "$err" | tr '\n' ' ' | sed 's/ $//')"
"$VSORELAY" run --manifest "$GO" --retries 30 -- "$gen" --loss-chance 0.5 >"$out" 2>"$err"
check_eq "race --manifest --retries: recovers" 0 $?
check_eq "race --manifest --retries: five matrices re-emitted" 5 "$(grep -c '^##vso\[task.setvariable' "$out")"
finish
