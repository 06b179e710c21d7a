#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ImageBuilder's own arguments: wrapping a stand-in ImageBuilder (a script
# that prints a bundled log) with no vsorelay option protects
# generateBuildMatrix from its --manifest and filters, says so in one line,
# and leaves every other ImageBuilder command a plain relay; --image-info
# and --trim-cached-images with ImageBuilder's semantics; sources that name
# nothing fail before the command runs, unless --allow-empty.
. "$(dirname "$0")/lib.sh"
out=$WORK/out.txt err=$WORK/err.txt
GO=$SOURCE_DIR/samples/go-images/manifest.json
DATA=$SOURCE_DIR/tests/data/imagebuilder
GO_LIST="linuxArm32, linuxArm64, linuxAmd64, windowsLtsc2025Amd64, windowsLtsc2022Amd64"

# The stand-in: prints FAKE_LOG, and leaves a mark that it ran.
mkdir -p "$WORK/bin" "$WORK/repo"
cat >"$WORK/bin/image-builder" <<'EOF'
#!/bin/sh
: >"$FAKE_RAN"
cat "$FAKE_LOG"
EOF
chmod +x "$WORK/bin/image-builder"
cp "$WORK/bin/image-builder" "$WORK/bin/fake-docker"
cp "$WORK/bin/image-builder" "$WORK/bin/Microsoft.DotNet.ImageBuilder.exe"
export FAKE_RAN=$WORK/ran PATH="$WORK/bin:$PATH"
ib() { FAKE_LOG=$1; shift; rm -f "$FAKE_RAN"; FAKE_LOG=$FAKE_LOG "$VSORELAY" "$@" >"$out" 2>"$err"; }
own_lines() { grep -c '^vsorelay:' "$err"; }

# ---- the Done-when case: no vsorelay option ----
args=(generateBuildMatrix --manifest "$GO" --os-type '*' --architecture '*')
ib "$BROKEN" run image-builder "${args[@]}"
check_eq "stand-in ImageBuilder, broken log: exit 3" 3 $?
check_grep "it names linuxAmd64" "expected output variable missing (never set): linuxAmd64: " "$err"
ib "$HEALTHY" run image-builder "${args[@]}"
check_eq "stand-in ImageBuilder, healthy log: exit 0" 0 $?
check_eq "healthy: one line about ImageBuilder's arguments, then the verified line" \
  "vsorelay: ImageBuilder's generateBuildMatrix --manifest $GO --os-type '*' --architecture '*': expecting $GO_LIST|vsorelay: 5 of 5 expected output variables verified ($GO_LIST)" \
  "$(grep '^vsorelay:' "$err" | paste -sd'|')"
check_eq "healthy: re-emitted" 5 "$(grep -c '^##vso\[task.setvariable' "$out")"

# ---- docker-tools' form: the whole base command wrapped, the manifest relative to the step's directory ----
cp "$GO" "$WORK/repo/manifest.json"
cd "$WORK/repo" || exit 1
docker_args=(fake-docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v /a/b:/artifacts -w /repo
  mcr.microsoft.com/dotnet-buildtools/image-builder:withrepo generateBuildMatrix --manifest manifest.json
  --type platformDependencyGraph --os-type '*' --architecture '*' --product-version-components 2
  --custom-build-leg-group build --path 'src/microsoft/*')
ib "$BROKEN" run "${docker_args[@]}"
check_eq "docker run ... generateBuildMatrix, broken: exit 3" 3 $?
ib "$HEALTHY" run "${docker_args[@]}"
check_eq "docker run ... generateBuildMatrix, healthy: exit 0" 0 $?
check_grep "docker form: its filters are said" "--manifest manifest.json --os-type '*' --architecture '*' --path 'src/microsoft/*': expecting" "$err"
# the --opt=value and --opt:value forms
ib "$HEALTHY" run image-builder generateBuildMatrix --manifest=manifest.json --os-type:linux '--architecture=*'
check_eq "--opt=value forms: exit 0 (the announcement asks for the Windows matrices too)" 0 $?
check_grep "--opt=value forms: read" "--manifest manifest.json --os-type linux --architecture '*': expecting linuxArm32, linuxArm64, linuxAmd64" "$err"
# the Windows form: the program itself, no docker
ib "$BROKEN" run Microsoft.DotNet.ImageBuilder.exe generateBuildMatrix --manifest manifest.json --os-type windows --architecture amd64
check_eq "ImageBuilder.exe generateBuildMatrix --os-type windows, broken: exit 3" 3 $?
check_grep "the Windows form: its Windows matrices" "expecting windowsLtsc2025Amd64, windowsLtsc2022Amd64" "$err"
# ImageBuilder's defaults for --os-type and --architecture are the Docker host's
ib "$HEALTHY" run image-builder generateBuildMatrix
check_eq "no filter given: exit 0" 0 $?
check_grep "no filter given: the host's defaults are said" "(the Docker host's defaults): expecting" "$err"

# ---- every other ImageBuilder command is a plain relay ----
ib "$HEALTHY" run fake-docker run --rm image build --manifest manifest.json --os-type '*' --architecture '*'
check_eq "ImageBuilder build: exit 0" 0 $?
check_no_grep "build: no line about ImageBuilder's arguments" "ImageBuilder's" "$err"
printf 'docker build output\n' >"$WORK/plain.log"
ib "$WORK/plain.log" run fake-docker run --rm image publishManifest --manifest manifest.json
check_eq "another command, plain output: exit 0" 0 $?
check_eq "another command: only the line that says nothing was verified" 1 "$(own_lines)"

# ---- a manifest vsorelay cannot open: a warning; the announcement still applies ----
ib "$BROKEN" run image-builder generateBuildMatrix --manifest /nonexistent/repo/manifest.json --os-type '*' --architecture '*'
check_eq "a container path, broken log: exit 3 (the announcement)" 3 $?
check_grep "a container path: a warning" "warning: cannot read the manifest here" "$err"
ib "$HEALTHY" run image-builder generateBuildMatrix --manifest /nonexistent/repo/manifest.json --os-type '*' --architecture '*'
check_eq "a container path, healthy log: exit 0" 0 $?

# ---- sources that name nothing fail before the command runs ----
ib "$HEALTHY" run image-builder generateBuildMatrix --manifest manifest.json --os-type '*' --architecture '*' --path 'src/microsoft/1.24/*'
check_eq "ImageBuilder's filters leave nothing: exit 2" 2 $?
check "and the command did not run" test ! -e "$FAKE_RAN"
check_grep "it names the source and the filters" "--path 'src/microsoft/1.24/*': no platform is left after the filters" "$err"
ib "$HEALTHY" run --manifest "$GO" --path 'src/microsoft/1.24/*' -- image-builder
check_eq "--manifest --path 'src/microsoft/1.24/*': exit 2" 2 $?
check "and the command did not run" test ! -e "$FAKE_RAN"
check_grep "it names --manifest and the filter" "--manifest $GO --path 'src/microsoft/1.24/*': no platform is left" "$err"
ib "$BROKEN" run --manifest "$GO" --path 'src/microsoft/1.24/*' --allow-empty --no-announced -- image-builder
check_eq "--allow-empty: it runs, exit 0" 0 $?
: >"$WORK/empty.names"
printf '# only a comment\n\n   \n' >"$WORK/comment.names"
for f in "$WORK/empty.names" "$WORK/comment.names"; do
  ib "$HEALTHY" run --expect-file "$f" -- image-builder
  status=$?
  check_eq "an --expect-file naming nothing ($(basename "$f")): exit 2" 2 $status
  check "and the command did not run" test ! -e "$FAKE_RAN"
  check_grep "it names the file" "--expect-file $f names no output variable" "$err"
  ib "$HEALTHY" run --expect-file "$f" --allow-empty -- image-builder
  status=$?
  check_eq "--expect-file $(basename "$f") --allow-empty: exit 0" 0 $status
done
ib "$HEALTHY" run --expect '' -- image-builder
check_eq "--expect '': exit 2" 2 $?
check_grep "--expect '': said" "--expect '' names no output variable" "$err"
ib "$HEALTHY" replay --expect ' ' "$HEALTHY"
check_eq "replay --expect ' ': exit 2" 2 $?
ib "$HEALTHY" replay --expect '' --allow-empty "$HEALTHY"
check_eq "replay --expect '' --allow-empty: exit 0" 0 $?
"$VSORELAY" expect --manifest "$GO" --path 'src/microsoft/1.24/*' >"$out" 2>"$err"
check_eq "expect, nothing left: exit 2" 2 $?
"$VSORELAY" expect --manifest "$GO" --path 'src/microsoft/1.24/*' --allow-empty >"$out" 2>"$err"
check_eq "expect, nothing left, --allow-empty: exit 0" 0 $?

# ---- vsorelay's own options win; --no-imagebuilder-args ----
ib "$HEALTHY" run --manifest "$GO" --os-type linux image-builder generateBuildMatrix --manifest nonexistent.json
check_eq "vsorelay's own --manifest: exit 0" 0 $?
check_no_grep "vsorelay's own --manifest: ImageBuilder's arguments not read" "ImageBuilder's" "$err"
ib "$BROKEN" run --no-imagebuilder-args image-builder "${args[@]}"
check_eq "--no-imagebuilder-args, broken: exit 3 (the announcement)" 3 $?
check_no_grep "--no-imagebuilder-args: nothing said about them" "ImageBuilder's" "$err"

# ---- --image-info: the platforms it marks unchanged are not expected ----
info=$DATA/image-info.windows-unchanged.json
"$VSORELAY" expect --manifest "$GO" --image-info "$info" >"$out" 2>"$err"
check_eq "expect --image-info: the Linux matrices" "linuxArm32 linuxArm64 linuxAmd64" "$(paste -sd' ' "$out")"
ib "$DATA/generate-build-matrix.windows-unchanged.log" run image-builder generateBuildMatrix --manifest "$GO" --os-type '*' --architecture '*' --image-info "$info"
check_eq "ImageBuilder with --image-info, its log: exit 0" 0 $?
check_eq "--image-info: three verified" "vsorelay: 3 of 3 expected output variables verified (linuxArm32, linuxArm64, linuxAmd64)" "$(tail -n 1 "$err")"
ib "$DATA/generate-build-matrix.windows-unchanged.log" replay --manifest "$GO" --image-info "$info" "$DATA/generate-build-matrix.windows-unchanged.log"
check_eq "replay --manifest --image-info: exit 0" 0 $?
ib "$DATA/generate-build-matrix.windows-unchanged.log" replay --manifest "$GO" "$DATA/generate-build-matrix.windows-unchanged.log"
check_eq "the same without --image-info: the Windows matrices are missing: exit 3" 3 $?
printf '{ "repos": [ { "repo": 5 } ] }' >"$WORK/bad-info.json"
ib "$HEALTHY" run --manifest "$GO" --image-info "$WORK/bad-info.json" -- image-builder
check_eq "a malformed --image-info: exit 2" 2 $?
check_grep "with the JSON path" '$.repos[0].repo: expected a string' "$err"
check "and the command did not run" test ! -e "$FAKE_RAN"

# ---- --trim-cached-images: an upper bound; the announcement must arrive ----
trimmed=$DATA/generate-build-matrix.trimmed.log
ib "$trimmed" run image-builder generateBuildMatrix --manifest "$GO" --os-type '*' --architecture '*' --image-info /artifacts/image-info.json --trim-cached-images
check_eq "a healthy trimmed build: exit 0" 0 $?
check_grep "trimmed: the names are an upper bound" "expecting at most $GO_LIST (--trim-cached-images" "$err"
check_grep "trimmed: the verified line says what was allowed absent" \
  "vsorelay: 3 of 3 expected output variables verified (linuxArm32, linuxArm64, linuxAmd64); not set, as the manifest's upper bound allows: windowsLtsc2025Amd64, windowsLtsc2022Amd64" "$err"
ib "$trimmed" replay --manifest "$GO" --trim-cached-images --summary "$WORK/s.md" --report "$WORK/r.json" "$trimmed"
check_eq "replay of the trimmed log: exit 0" 0 $?
check_grep "the summary says the check is weaker, and why" "**The check is weaker than usual.** --trim-cached-images" "$WORK/s.md"
check_eq "the report says why it is an upper bound" '"--trim-cached-images: ImageBuilder also leaves out the platforms whose images are cached in the registry, which vsorelay cannot see"' \
  "$(node -e 'console.log(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1])).upperBound))' "$WORK/r.json")"
check "the report: schema" node "$SOURCE_DIR/tests/blackbox/check-report.js" "$WORK/r.json" replay
ib "$DATA/generate-build-matrix.trimmed.broken.log" run --manifest "$GO" --trim-cached-images -- image-builder
check_eq "a trimmed log that lost an announced matrix: exit 3" 3 $?
check_eq "it names the lost one only" "linuxAmd64" "$(grep -o "^vsorelay: expected output variable missing (never set): [A-Za-z0-9]*" "$err" | sed 's/.*: //' | paste -sd' ')"
grep -o '##vso\[.*' "$trimmed" >"$WORK/no-listing.log"
ib "$WORK/no-listing.log" run --manifest "$GO" --trim-cached-images -- image-builder
check_eq "trimmed, and no announcement at all: exit 3" 3 $?
check_grep "it says why" "the generator's announcement of its matrices (GENERATING BUILD MATRIX) never came" "$err"
ib "$WORK/no-listing.log" run --manifest "$GO" --trim-cached-images --no-announced -- image-builder
check_eq "trimmed, no announcement, --no-announced: exit 0 (the upper bound alone)" 0 $?
# ---- replay of a --capture reaches the run's verdict: the capture keeps what ImageBuilder's
# arguments made the run expect (replay has no command), and the listing as relayed ----
rj() { node -e 'console.log(JSON.stringify(eval("r=JSON.parse(require(\"fs\").readFileSync(process.argv[1]));" + process.argv[2])))' "$1" "$2"; }
grep -o '##vso\[.*' "$BROKEN" >"$WORK/broken-no-listing.log"
grep -o '##vso\[.*' "$HEALTHY" >"$WORK/healthy-no-listing.log"
ib_cases=(
  "3|$WORK/broken-no-listing.log|generateBuildMatrix --manifest $GO --os-type * --architecture *"
  "0|$WORK/healthy-no-listing.log|generateBuildMatrix --manifest $GO --os-type * --architecture *"
  "3|$WORK/no-listing.log|generateBuildMatrix --manifest $GO --os-type * --architecture * --trim-cached-images"
  "0|$trimmed|generateBuildMatrix --manifest $GO --os-type * --architecture * --image-info /artifacts/image-info.json --trim-cached-images"
  "3|$DATA/generate-build-matrix.trimmed.broken.log|generateBuildMatrix --manifest $GO --os-type * --architecture * --trim-cached-images"
)
for c in "${ib_cases[@]}"; do
  IFS='|' read -r want log words <<<"$c"
  set -f; read -ra argv <<<"$words"; set +f
  what="capture of $(basename "$log") ${argv[*]: -1}"
  ib "$log" run --capture "$WORK/c.cap" --report "$WORK/run.json" image-builder "${argv[@]}"
  check_eq "$what: run exits $want" "$want" $?
  "$VSORELAY" replay --report "$WORK/replay.json" "$WORK/c.cap" >"$out" 2>"$err"
  check_eq "$what: replay exits as the run did" "$want" $?
  # (each variable's source differs: the run's "stdout", replay's "c.cap:stdout")
  for key in 'expected.map(x => ({...x, source: null}))' missing invalid upperBound unchecked \
    imageBuilder.arguments imageBuilder.note manifest; do
    check_eq "$what: replay's ${key%%.map*} is the run's" "$(rj "$WORK/run.json" "r.$key")" "$(rj "$WORK/replay.json" "r.$key")"
  done
  check "$what: the replay report: schema" node "$SOURCE_DIR/tests/blackbox/check-report.js" "$WORK/replay.json" replay
done
ib "$WORK/broken-no-listing.log" run --capture "$WORK/c.cap" image-builder generateBuildMatrix --manifest "$GO" --os-type '*' --architecture '*'
"$VSORELAY" replay --no-imagebuilder-args "$WORK/c.cap" >"$out" 2>"$err"
check_eq "replay --no-imagebuilder-args: the recorded names are not expected (nothing to check: exit 0)" 0 $?
"$VSORELAY" replay --manifest "$GO" --os-type linux "$WORK/c.cap" >"$out" 2>"$err"
check_eq "replay with its own --manifest: that manifest's names only, as run would (exit 3: linuxAmd64)" 3 $?
check_no_grep "  ... and not the recorded Windows ones" "windowsLtsc2025Amd64" "$err"
# the announcement alone, in a capture: replay reads the listing again
ib "$BROKEN" run --capture "$WORK/c.cap" --no-imagebuilder-args image-builder generateBuildMatrix --manifest "$GO"
check_eq "the listing alone, broken: run exits 3" 3 $?
"$VSORELAY" replay --report "$WORK/replay.json" "$WORK/c.cap" >"$out" 2>"$err"
check_eq "  replay of its capture: 3" 3 $?
check_eq "  naming the three lost matrices" '["linuxAmd64","windowsLtsc2025Amd64","windowsLtsc2022Amd64"]' \
  "$(rj "$WORK/replay.json" r.missing)"
ib "$HEALTHY" run --capture "$WORK/c.cap" --retries 1 --no-imagebuilder-args image-builder generateBuildMatrix
check_eq "the listing alone, healthy: run exits 0" 0 $?
"$VSORELAY" replay "$WORK/c.cap" >"$out" 2>"$err"
check_eq "  replay of its capture: 0" 0 $?
check_grep "  having checked the five announced matrices" "5 of 5 expected output variables verified" "$err"
# a capture whose expectation records are malformed: exit 2, saying so
printf 'vsorelay-capture 2\n@imagebuilder 9\n used=2 x\n@attempt 1\n' >"$WORK/bad.cap"
"$VSORELAY" replay "$WORK/bad.cap" >"$out" 2>"$err"
check_eq "a malformed @imagebuilder record: exit 2" 2 $?
check_grep "  saying so" "not a well-formed capture" "$err"
printf 'vsorelay-capture 2\n@matrix 12\n name=linuxX\n@attempt 1\n' >"$WORK/bad.cap"
"$VSORELAY" replay "$WORK/bad.cap" >"$out" 2>"$err"
check_eq "a @matrix record without its @imagebuilder: exit 2" 2 $?
finish
