#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pipeline templates' scripts, run as the agent runs them:
# - guard-imagebuilder.yml sets runImageBuilderBaseCmd and
#   runAuthedImageBuilderBaseCmd again with `vsorelay run` in front; the matrix
#   step's command line built from them, as docker-tools' run-imagebuilder.yml
#   builds it, fails the broken go-images log (3) and passes the healthy one (0)
#   through a stand-in for `docker run ... generateBuildMatrix`;
#   it escapes the values, does not prefix twice, and fails when there is
#   nothing to guard;
# - install-vsorelay.yml unpacks a tarball (checking its SHA-256), and puts the
#   binary on PATH after checking its version.
#   environment: VSORELAY (the binary), SOURCE_DIR (the source tree)
. "$(dirname "$0")/../blackbox/lib.sh"
templates=$SOURCE_DIR/templates/steps
if ! prefix=$("$SOURCE_DIR/tests/node/install.sh" 2>"$WORK/npm.log"); then
  cat "$WORK/npm.log" >&2
  fail "tests/node/install.sh"
  finish
  exit
fi
# script TEMPLATE DISPLAYNAME_PREFIX: the bash script of that step, in a file
script() {
  local f
  f=$WORK/step-$(printf '%s' "$2" | tr -c 'a-zA-Z0-9' _).sh
  node "$SOURCE_DIR/tests/packaging/step-script.js" "$prefix" "$templates/$1" "$2" >"$f" || return 1
  echo "$f"
}
# vso_value OUTPUT NAME: the data of the task.setvariable for NAME, decoded as the agent does
vso_value() {
  sed -n "s/^##vso\[task.setvariable variable=$2\]//p" "$1" | tail -n 1 |
    sed 's/%0A/\n/g; s/%0D/\r/g; s/%AZP25/%/g'
}

# vsorelay on PATH, as install-vsorelay.yml leaves it
mkdir -p "$WORK/bin" "$WORK/agent-temp"
ln -s "$VSORELAY" "$WORK/bin/vsorelay"
# The stand-in for `docker run --rm ... IMAGE generateBuildMatrix ...`: it prints
# the log in FAKE_LOG, and records its arguments.
cat >"$WORK/bin/fake-docker" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGS"
cat "$FAKE_LOG"
EOF
chmod +x "$WORK/bin/fake-docker"
export PATH="$WORK/bin:$PATH" AGENT_TEMPDIRECTORY=$WORK/agent-temp FAKE_ARGS=$WORK/fake-args

# ---- guard-imagebuilder.yml ----
guard=$(script guard-imagebuilder.yml 'vsorelay: guard') || fail "no guard step in guard-imagebuilder.yml"
base='fake-docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v /a/b:/artifacts -w /repo'
authed='fake-docker run --rm -e SYSTEM_ACCESSTOKEN -e SYSTEM_OIDCREQUESTURI -v /var/run/docker.sock:/var/run/docker.sock -w /repo'
GUARD_OPTIONS="--expect $GO_EXPECT" WRITE_SUMMARY=True RUNIMAGEBUILDERBASECMD=$base RUNAUTHEDIMAGEBUILDERBASECMD=$authed \
  bash "$guard" >"$WORK/guard.out" 2>&1
check_eq "the guard step: exit 0" 0 $?
plain=$(vso_value "$WORK/guard.out" runImageBuilderBaseCmd)
auth=$(vso_value "$WORK/guard.out" runAuthedImageBuilderBaseCmd)
check_eq "runImageBuilderBaseCmd gets vsorelay run in front" \
  "vsorelay run --summary $WORK/agent-temp/vsorelay-summary.md --expect $GO_EXPECT $base" "$plain"
check_eq "runAuthedImageBuilderBaseCmd gets vsorelay run in front" \
  "vsorelay run --summary $WORK/agent-temp/vsorelay-summary.md --expect $GO_EXPECT $authed" "$auth"
check_no_grep "the prefix holds no '--' (PowerShell may drop it)" " -- " <(printf '%s\n%s\n' "$plain" "$auth")

# The matrix step, as run-imagebuilder.yml writes it:
#   $(runImageBuilderBaseCmd) $(imageBuilderImageName) generateBuildMatrix ...
# PowerShell splits that line into words as the shell does here (no quotes in it
# but ImageBuilder's '*').
matrix_args="image-builder:withrepo generateBuildMatrix --manifest manifest.json --type platformDependencyGraph --os-type '*' --architecture '*'"
for cmd in "$plain" "$auth"; do
  FAKE_LOG=$BROKEN eval "$cmd $matrix_args" >"$WORK/out" 2>"$WORK/err"
  check_eq "guarded matrix step on the broken log: exit 3" 3 $?
  check_grep "it names linuxAmd64" linuxAmd64 "$WORK/err"
  check_no_grep "it re-emits nothing" "##vso[task.setvariable" "$WORK/out"
  check_grep "ImageBuilder got its own arguments" "generateBuildMatrix" "$FAKE_ARGS"
  check_grep "ImageBuilder got '*' unquoted" "*" "$FAKE_ARGS"
  check "the summary is written" test -s "$WORK/agent-temp/vsorelay-summary.md"
  check_grep "the summary is uploaded" "##vso[task.uploadsummary]$WORK/agent-temp/vsorelay-summary.md" "$WORK/out"
  FAKE_LOG=$HEALTHY eval "$cmd $matrix_args" >"$WORK/out" 2>"$WORK/err"
  check_eq "guarded matrix step on the healthy log: exit 0" 0 $?
  check_grep "linuxAmd64 is re-emitted" "##vso[task.setvariable variable=linuxAmd64;isoutput=true]" "$WORK/out"
done

# With no option at all, the guard still protects the matrix step: vsorelay reads
# ImageBuilder's own generateBuildMatrix arguments (the manifest is where the step
# runs, as docker-tools' -w /repo sees it) and its announcement.
GUARD_OPTIONS= WRITE_SUMMARY=False RUNIMAGEBUILDERBASECMD=$base bash "$guard" >"$WORK/guard.out" 2>&1
bare=$(vso_value "$WORK/guard.out" runImageBuilderBaseCmd)
check_eq "no options: the bare prefix" "vsorelay run $base" "$bare"
mkdir -p "$WORK/sources"
cp "$SOURCE_DIR/samples/go-images/manifest.json" "$WORK/sources/manifest.json"
matrix_args_go="$matrix_args --path 'src/microsoft/*'"
(cd "$WORK/sources" && FAKE_LOG=$BROKEN eval "$bare $matrix_args_go") >"$WORK/out" 2>"$WORK/err"
check_eq "no options, broken log: exit 3" 3 $?
check_grep "no options: ImageBuilder's arguments read" "ImageBuilder's generateBuildMatrix --manifest manifest.json" "$WORK/err"
check_grep "no options: it names linuxAmd64" "expected output variable missing (never set): linuxAmd64: " "$WORK/err"
(cd "$WORK/sources" && FAKE_LOG=$HEALTHY eval "$bare $matrix_args_go") >"$WORK/out" 2>"$WORK/err"
check_eq "no options, healthy log: exit 0" 0 $?
check_grep "no options: the verified line" "vsorelay: 5 of 5 expected output variables verified" "$WORK/err"
# another ImageBuilder command through the same variable is a plain relay
printf 'building\n' >"$WORK/build.log"
(cd "$WORK/sources" && FAKE_LOG=$WORK/build.log eval "$bare image-builder:withrepo build --manifest manifest.json") >"$WORK/out" 2>"$WORK/err"
check_eq "no options, another ImageBuilder command: exit 0" 0 $?
check_grep "another command: relayed" "building" "$WORK/out"

# A value with %, CR and LF reaches the agent whole: the data is escaped the agent's way.
RUNIMAGEBUILDERBASECMD=$'fake-docker run -e X=100%\r\nZ' GUARD_OPTIONS= WRITE_SUMMARY=False bash "$guard" >"$WORK/guard.out" 2>&1
check_eq "the guard step with % in the value: exit 0" 0 $?
check_grep "% is written as %AZP25, CR LF as %0D%0A" \
  '##vso[task.setvariable variable=runImageBuilderBaseCmd]vsorelay run fake-docker run -e X=100%AZP25%0D%0AZ' "$WORK/guard.out"
check_no_grep "no summary when summary is false" "--summary" "$WORK/guard.out"

# Run twice (a template used twice): no second prefix.
RUNIMAGEBUILDERBASECMD="vsorelay run $base" GUARD_OPTIONS= WRITE_SUMMARY=True bash "$guard" >"$WORK/guard.out" 2>&1
check_eq "the guard step on a guarded command: exit 0" 0 $?
check_no_grep "it does not prefix twice" "##vso[task.setvariable" "$WORK/guard.out"

# Fail closed: no ImageBuilder command to guard (the template used in the wrong place).
env -u RUNIMAGEBUILDERBASECMD -u RUNAUTHEDIMAGEBUILDERBASECMD GUARD_OPTIONS= WRITE_SUMMARY=True \
  bash "$guard" >"$WORK/guard.out" 2>&1
check_eq "nothing to guard: the step fails" 1 $?
check_grep "with an error the agent shows" "##vso[task.logissue type=error]guard-imagebuilder:" "$WORK/guard.out"

# ---- the templates' default version is the binary's, so a release bumps both ----
version=$("$VSORELAY" --version | cut -d' ' -f2)
for t in install-vsorelay.yml guard-imagebuilder.yml; do
  default=$(awk '/^- name: version$/ { on = 1; next } on && /^  default:/ { gsub(/[\047" ]/, "", $2); print $2; exit }' "$templates/$t")
  check_eq "$t: the default version is the binary's" "$version" "$default"
done

# ---- install-vsorelay.yml: unpack, and put on PATH ----
unpack=$(script install-vsorelay.yml 'vsorelay: unpack') || fail "no unpack step in install-vsorelay.yml"
onpath=$(script install-vsorelay.yml 'vsorelay: put') || fail "no 'put on PATH' step in install-vsorelay.yml"
mkdir -p "$WORK/files" "$WORK/download/sub"
cp "$VSORELAY" "$WORK/files/vsorelay"
cp "$SOURCE_DIR/LICENSE" "$SOURCE_DIR/man/vsorelay.1" "$WORK/files/"
tarball=$WORK/download/sub/vsorelay-$version-linux-x86_64.tar.gz
tar -C "$WORK/files" -czf "$tarball" vsorelay LICENSE vsorelay.1
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  VERSION=$version TARBALL_SHA256=0000$sum DOWNLOAD_DIR=$WORK/download PREFIX=$WORK/tools/$version \
    bash "$unpack" >"$WORK/unpack.out" 2>&1
  check "a wrong SHA-256 fails the unpack step" test $? -ne 0
  check "and installs nothing" test ! -e "$WORK/tools/$version/bin/vsorelay"
  VERSION=$version TARBALL_SHA256=$sum DOWNLOAD_DIR=$WORK/download PREFIX=$WORK/tools/$version \
    bash "$unpack" >"$WORK/unpack.out" 2>&1
  check_eq "the unpack step: exit 0" 0 $?
  check "it installs bin/vsorelay" test -x "$WORK/tools/$version/bin/vsorelay"
  check "it installs the man page" test -f "$WORK/tools/$version/share/man/man1/vsorelay.1"
  SOURCE=url VERSION=$version PREFIX=$WORK/tools/$version bash "$onpath" >"$WORK/path.out" 2>&1
  check_eq "the PATH step: exit 0" 0 $?
  check_grep "it prepends bin to PATH" "##vso[task.prependpath]$WORK/tools/$version/bin" "$WORK/path.out"
  check_grep "it sets vsorelayPath" "##vso[task.setvariable variable=vsorelayPath]$WORK/tools/$version/bin/vsorelay" "$WORK/path.out"
  SOURCE=url VERSION=9.9.9 PREFIX=$WORK/tools/$version bash "$onpath" >"$WORK/path.out" 2>&1
  check "a binary of another version fails the PATH step" test $? -ne 0
  check_grep "with an error the agent shows" "##vso[task.logissue type=error]install-vsorelay:" "$WORK/path.out"
else
  echo "test_templates: install part SKIPPED: the static tarball is for x86-64 Linux"
fi
finish
