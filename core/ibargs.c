/* SPDX-License-Identifier: MIT */
/* ImageBuilder's arguments (ibargs.h).
 *
 * What was read (docs/imagebuilder.md, "ImageBuilder's command line"):
 *  - dotnet/docker-tools: the options of generateBuildMatrix are those of
 *    Options.cs (--dry-run, --verbose, --no-version-logging: flags),
 *    ManifestOptions.cs (--manifest, default "manifest.json"; --registry-override,
 *    --repo (repeatable), --repo-prefix, --var), ManifestFilterOptions
 *    (PlatformFilterOptions.cs: --architecture, --os-type, --os-version
 *    (repeatable); DockerfileFilterOptions.cs: --path, --version, both
 *    repeatable), BaseImageOverrideOptions.cs (--base-override-regex,
 *    --base-override-sub), RegistryCredentialsOptions.cs (--registry-creds)
 *    and GenerateBuildMatrixOptions.cs (--type, --custom-build-leg-group,
 *    --product-version-components, --image-info,
 *    --distinct-matrix-os-version, --source-repo-prefix, --source-repo, and
 *    the flag --trim-cached-images).  The command's name is
 *    "generateBuildMatrix", matched exactly.
 *  - dotnet/command-line-api v2.0.x (System.CommandLine 2.0.10 is what
 *    ImageBuilder uses), StringExtensions.Tokenize and
 *    ParseOperation.ParseOptionArguments: a word that names an option is
 *    that option; "--name=value" and "--name:value" are the option and its
 *    value (split at the first ':' or '=' when the part before names an
 *    option); an option with a value takes the next word whatever it is;
 *    a flag (a bool option) takes the next word only when it reads as a
 *    bool ("true" or "false"); "--" ends the options; "@file" is replaced by
 *    the words of a response file; -h, --help, /h, -?, /? ask for help.
 *  - A repeated option that takes one value keeps the last here (ImageBuilder
 *    refuses the command line). */
#include "ibargs.h"

#include <stdlib.h>
#include <string.h>

#include "dialect.h"

static const char command_name[] = "generateBuildMatrix";

typedef enum { SKIP, MANIFEST, TYPE, OS_TYPE, ARCHITECTURE, OS_VERSION, PATH, DISTINCT, REPO, VAR, IMAGE_INFO, TRIM,
               PRODUCT_VERSION } field;

static const struct {
  const char *name;
  bool flag;     /* a bool option: takes a value only when the next word is one */
  field into;
} options[] = {
    {"--dry-run", true, SKIP},
    {"--verbose", true, SKIP},
    {"--no-version-logging", true, SKIP},
    {"--manifest", false, MANIFEST},
    {"--registry-override", false, SKIP},
    {"--repo", false, REPO},
    {"--repo-prefix", false, SKIP},
    {"--var", false, VAR},
    {"--architecture", false, ARCHITECTURE},
    {"--os-type", false, OS_TYPE},
    {"--os-version", false, OS_VERSION},
    {"--path", false, PATH},
    {"--version", false, PRODUCT_VERSION},
    {"--base-override-regex", false, SKIP},
    {"--base-override-sub", false, SKIP},
    {"--registry-creds", false, SKIP},
    {"--type", false, TYPE},
    {"--custom-build-leg-group", false, SKIP},
    {"--product-version-components", false, SKIP},
    {"--image-info", false, IMAGE_INFO},
    {"--distinct-matrix-os-version", false, DISTINCT},
    {"--source-repo-prefix", false, SKIP},
    {"--source-repo", false, SKIP},
    {"--trim-cached-images", true, TRIM},
};

/* The option named word[0..n), or -1. */
static int option_named(const char *word, size_t n) {
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
    if (strlen(options[i].name) == n && memcmp(options[i].name, word, n) == 0) return (int)i;
  return -1;
}

/* bool.TryParse: "true" or "false" in any case, white space around ignored. */
static bool read_bool(const char *s, bool *value) {
  size_t n = strlen(s);
  while (n && (*s == ' ' || *s == '\t')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  if (vso_ieq(s, n, "true", 4)) *value = true;
  else if (vso_ieq(s, n, "false", 5)) *value = false;
  else return false;
  return true;
}

static bool add(vso_ib_list *l, const char *v) {
  const char **grown = realloc(l->items, (l->n + 1) * sizeof *grown);
  if (!grown) return false;
  l->items = grown;
  l->items[l->n++] = v;
  return true;
}

/* Stores the value of option i (NULL: a flag given without one). */
static bool store(vso_ib_args *a, int i, const char *value) {
  switch (options[i].into) {
    case MANIFEST: a->manifest = value; break;
    case TYPE: a->type = value; break;
    case OS_TYPE: a->os_type = value; break;
    case ARCHITECTURE: a->architecture = value; break;
    case IMAGE_INFO: a->image_info = value; break;
    case OS_VERSION: return add(&a->os_versions, value);
    case PATH: return add(&a->paths, value);
    case DISTINCT: return add(&a->distinct_os_versions, value);
    case REPO: return add(&a->repos, value);
    case VAR: return add(&a->vars, value);
    case PRODUCT_VERSION: a->product_versions = true; break;
    case TRIM: {
      bool on = true;
      if (value && !read_bool(value, &on)) a->stray = value;
      a->trim_cached_images = on;
      break;
    }
    case SKIP: break;
  }
  return true;
}

static bool is_help(const char *w) {
  return strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0 || strcmp(w, "/h") == 0 || strcmp(w, "-?") == 0 ||
         strcmp(w, "/?") == 0;
}

/* Option i, written as the word argv[*k] alone: a value takes the next
 * word, whatever it is; a flag only a bool. */
static bool read_option(char *const *argv, int argc, int *k, vso_ib_args *a, int i) {
  const char *next = *k + 1 < argc ? argv[*k + 1] : NULL;
  bool b;
  if (options[i].flag && !(next && read_bool(next, &b))) return store(a, i, NULL);
  if (!next) { /* the option's value is missing: ImageBuilder refuses the command line */
    if (!a->stray) a->stray = argv[*k];
    return true;
  }
  (*k)++;
  return store(a, i, next);
}

/* One word at argv[*k] (and its value): false when memory runs out. */
static bool read_word(char *const *argv, int argc, int *k, vso_ib_args *a) {
  const char *w = argv[*k];
  int i = option_named(w, strlen(w));
  if (i >= 0) return read_option(argv, argc, k, a, i);
  size_t cut = strcspn(w, ":=");
  if (w[cut] && (i = option_named(w, cut)) >= 0) /* "--name=value"; "--name=" is the option alone */
    return w[cut + 1] ? store(a, i, w + cut + 1) : read_option(argv, argc, k, a, i);
  if (w[0] == '@' && w[1]) a->response_file = true;
  else if (is_help(w)) a->help = true;
  else if (!a->stray) a->stray = w;
  return true;
}

/* Reads the words after argv[at]; false when memory runs out. */
static bool read_from(char *const *argv, int argc, int at, vso_ib_args *a) {
  vso_ib_args_free(a);
  *a = (vso_ib_args){.found = true, .at = at, .manifest = "manifest.json"};
  for (int k = at + 1; k < argc; k++) {
    if (strcmp(argv[k], "--") == 0) { /* the rest are arguments, which generateBuildMatrix has none of */
      if (k + 1 < argc && !a->stray) a->stray = argv[k + 1];
      break;
    }
    if (!read_word(argv, argc, &k, a)) return false;
  }
  return true;
}

bool vso_ib_args_read(char *const *argv, int argc, vso_ib_args *out) {
  memset(out, 0, sizeof *out);
  int first = -1;
  /* the first occurrence whose words all read as ImageBuilder's: an earlier
   * one may be another program's argument (docker run --name generateBuildMatrix) */
  for (int k = 0; k < argc; k++) {
    if (strcmp(argv[k], command_name) != 0) continue;
    if (first < 0) first = k;
    if (!read_from(argv, argc, k, out)) return false;
    if (!out->stray) return true;
  }
  if (first < 0) {
    vso_ib_args_free(out);
    return true;
  }
  return read_from(argv, argc, first, out);
}

void vso_ib_args_free(vso_ib_args *a) {
  free(a->os_versions.items);
  free(a->paths.items);
  free(a->distinct_os_versions.items);
  free(a->repos.items);
  free(a->vars.items);
  memset(a, 0, sizeof *a);
}

const char *vso_ib_default_os_type(void) {
#ifdef _WIN32
  return "windows";
#else
  return "linux";
#endif
}

const char *vso_ib_default_architecture(void) {
#if defined(__x86_64__) || defined(_M_X64)
  return "amd64";
#elif defined(__aarch64__) || defined(_M_ARM64)
  return "arm64";
#elif defined(__arm__) || defined(_M_ARM)
  return "arm";
#else
  return NULL;
#endif
}
