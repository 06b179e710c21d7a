/* SPDX-License-Identifier: MIT */
/* ImageBuilder's own arguments in a command line (core/ibargs.h), read as
 * its System.CommandLine parser reads them (docs/imagebuilder.md,
 * "ImageBuilder's command line"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "check.h"

#include <string.h>

#include "ibargs.h"

#define ARGV(...) ((char *const[]){__VA_ARGS__}), (int)(sizeof((char *const[]){__VA_ARGS__}) / sizeof(char *))

static bool same(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

static vso_ib_args read_args(char *const *argv, int argc) {
  vso_ib_args a;
  CHECK(vso_ib_args_read(argv, argc, &a), "out of memory");
  return a;
}

static void test_docker_tools_command(void **state) {
  (void)state;
  /* $(runImageBuilderBaseCmd) $(imageBuilderImageName) generateBuildMatrix ..., as the shell splits it */
  vso_ib_args a = read_args(ARGV("docker", "run", "--rm", "-v", "/var/run/docker.sock:/var/run/docker.sock", "-w",
                                 "/repo", "mcr.microsoft.com/image-builder:withrepo", "generateBuildMatrix", "--manifest",
                                 "manifest.json", "--type", "platformDependencyGraph", "--os-type", "*", "--architecture",
                                 "*", "--product-version-components", "2", "--custom-build-leg-group", "build", "--path",
                                 "src/microsoft/1.25/*", "--path", "src/microsoft/1.26/*", "--var", "UniqueId=abc",
                                 "--registry-override", "acr.example", "--dry-run"));
  CHECK(a.found && a.at == 8 && same(a.manifest, "manifest.json") && same(a.type, "platformDependencyGraph") &&
            same(a.os_type, "*") && same(a.architecture, "*"),
        "read %d %s %s", a.found, a.manifest, a.type);
  CHECK(a.paths.n == 2 && same(a.paths.items[1], "src/microsoft/1.26/*") && a.vars.n == 1 &&
            same(a.vars.items[0], "UniqueId=abc"),
        "%zu paths, %zu vars", a.paths.n, a.vars.n);
  CHECK(!a.stray && !a.trim_cached_images && !a.image_info && !a.help && !a.response_file, "stray %s", a.stray);
  vso_ib_args_free(&a);
}

static void test_forms(void **state) {
  (void)state;
  /* the Windows form, "=" and ":" values, a flag with a bool value */
  vso_ib_args a = read_args(ARGV("C:\\tools\\Microsoft.DotNet.ImageBuilder.exe", "generateBuildMatrix", "--manifest=m.json",
                                 "--os-version:ltsc2022", "--os-version", "nanoserver-ltsc2022", "--trim-cached-images",
                                 "False", "--image-info", "i.json", "--distinct-matrix-os-version", "noble"));
  CHECK(a.found && same(a.manifest, "m.json") && a.os_versions.n == 2 && same(a.os_versions.items[0], "ltsc2022") &&
            !a.trim_cached_images && same(a.image_info, "i.json") && a.distinct_os_versions.n == 1 && !a.stray,
        "manifest %s, %zu os versions, trim %d, stray %s", a.manifest, a.os_versions.n, a.trim_cached_images, a.stray);
  vso_ib_args_free(&a);
  /* a flag takes the next word only when it reads as a bool */
  a = read_args(ARGV("ib", "generateBuildMatrix", "--trim-cached-images", "--image-info", "x"));
  CHECK(a.trim_cached_images && same(a.image_info, "x") && same(a.manifest, "manifest.json") && !a.stray,
        "trim %d, image-info %s", a.trim_cached_images, a.image_info);
  vso_ib_args_free(&a);
  a = read_args(ARGV("ib", "generateBuildMatrix", "--trim-cached-images=true", "--trim-cached-images:FALSE"));
  CHECK(!a.trim_cached_images && !a.stray, "the last one wins: %d", a.trim_cached_images);
  vso_ib_args_free(&a);
  /* an option with a value takes the next word, whatever it is; "--opt=" is the option alone */
  a = read_args(ARGV("ib", "generateBuildMatrix", "--manifest", "--path", "--os-type=", "linux"));
  CHECK(same(a.manifest, "--path") && a.paths.n == 0 && same(a.os_type, "linux") && !a.stray, "manifest %s, os %s",
        a.manifest, a.os_type);
  vso_ib_args_free(&a);
  /* what vsorelay cannot follow, and what ImageBuilder refuses */
  a = read_args(ARGV("ib", "generateBuildMatrix", "--version", "8.0", "--repo", "dotnet/runtime", "@more.rsp", "-h"));
  CHECK(a.product_versions && a.repos.n == 1 && a.response_file && a.help && !a.stray, "flags");
  vso_ib_args_free(&a);
  a = read_args(ARGV("ib", "generateBuildMatrix", "--bogus", "x"));
  CHECK(same(a.stray, "--bogus"), "stray %s", a.stray);
  vso_ib_args_free(&a);
  a = read_args(ARGV("ib", "generateBuildMatrix", "--path"));
  CHECK(same(a.stray, "--path") && a.paths.n == 0, "a value missing at the end: stray %s", a.stray);
  vso_ib_args_free(&a);
  a = read_args(ARGV("ib", "generateBuildMatrix", "--", "--path", "x"));
  CHECK(same(a.stray, "--path") && a.paths.n == 0, "after --: stray %s", a.stray);
  vso_ib_args_free(&a);
  /* names are exact, as System.CommandLine's */
  a = read_args(ARGV("ib", "generateBuildMatrix", "--Manifest", "x"));
  CHECK(same(a.stray, "--Manifest") && same(a.manifest, "manifest.json"), "--Manifest: stray %s", a.stray);
  vso_ib_args_free(&a);
}

static void test_which_command(void **state) {
  (void)state;
  vso_ib_args a = read_args(ARGV("docker", "run", "img", "build", "--manifest", "m.json"));
  CHECK(!a.found, "another command of ImageBuilder is not generateBuildMatrix");
  vso_ib_args_free(&a);
  a = read_args(ARGV("ib", "GenerateBuildMatrix", "--manifest", "m.json"));
  CHECK(!a.found, "the command's name is exact");
  vso_ib_args_free(&a);
  /* an earlier occurrence that is another program's argument is passed over */
  a = read_args(ARGV("docker", "run", "--name", "generateBuildMatrix", "img", "generateBuildMatrix", "--manifest",
                     "m.json"));
  CHECK(a.found && a.at == 5 && same(a.manifest, "m.json") && !a.stray, "at %d, manifest %s", a.at, a.manifest);
  vso_ib_args_free(&a);
  /* when none reads cleanly, the first */
  a = read_args(ARGV("x", "generateBuildMatrix", "--bogus", "generateBuildMatrix", "--also-bogus"));
  CHECK(a.found && a.at == 1 && same(a.stray, "--bogus"), "at %d", a.at);
  vso_ib_args_free(&a);
  a = read_args(NULL, 0);
  CHECK(!a.found, "no command line");
  CHECK(vso_ib_default_os_type() != NULL, "a default OS type");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_docker_tools_command),
      cmocka_unit_test(test_forms),
      cmocka_unit_test(test_which_command),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  printf("test_ibargs: %lu checks\n", g_checks);
  return failed;
}
