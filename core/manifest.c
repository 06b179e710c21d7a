/* SPDX-License-Identifier: MIT */
/* The matrix variables ImageBuilder's generateBuildMatrix would emit for a
 * manifest.json (see manifest.h, imagebuilder-matrix.md §1.1–§1.2).
 *
 * What was read in dotnet/docker-tools (src/ImageBuilder/...) and mirrored:
 *
 * Loading (ManifestJsonService.LoadModel, Models/Manifest/{Manifest,Repo,Image,Platform}.cs):
 *  - The manifest is deserialised with Newtonsoft.  Required members:
 *    Repo.name, Repo.images, Image.platforms, Platform.dockerfile, .os,
 *    .osVersion, .tags.  Platform.architecture defaults to AMD64.  os and
 *    architecture are enums read by StringEnumConverter, case-insensitively.
 *    Newtonsoft matches member names case-insensitively and a repeated member
 *    overwrites the earlier one, so member() below takes the LAST
 *    case-insensitive match.
 *  - "includes" (no recursion: an include's own includes are ignored) are
 *    read relative to the manifest's directory; each include's variables are
 *    added (a name already defined is an error), its repos appended, and then
 *    repos with the same name are merged (GroupBy name: first position kept,
 *    images concatenated).  That merging only happens when includes has at
 *    least one entry.
 *  - ModelExtensions.Validate: at least one repo; an include must be a
 *    relative path.
 *
 * Filtering (ViewModel/ManifestFilter.cs FilterPlatforms, ManifestOptions.cs
 * GetManifestFilter, PlatformFilterOptions.cs, DockerfileFilterOptions.cs):
 *  - Every filter value is a glob turned into a regex by
 *    GetFilterRegexPattern: Regex.Escape, then `*` -> `.*`, `?` -> `.`,
 *    several values joined with `|`, anchored `^(...)$`, matched with
 *    RegexOptions.IgnoreCase.  So a value must match the WHOLE field (no
 *    prefix matching: --path src/a does not select src/a/b), `*` and `?` do
 *    not match a newline, and, because .NET's `$` also matches before a
 *    final newline, a field ending in one newline still matches.
 *  - --architecture is matched against the Docker name (arm, arm64, amd64;
 *    the variant is not looked at); --os-type against linux / windows; both
 *    are skipped when null or empty.  --os-version (repeatable) is matched
 *    against the raw osVersion (with any -slim); --path (repeatable) against
 *    the manifest's raw "dockerfile" value (no normalisation, no variable
 *    substitution).  Those two filter as soon as one value is given, even an
 *    empty one (which then only matches an empty field).
 *  - The filters AND together.  (--version / productVersion and --repo are
 *    not supported here.)
 *
 * Grouping and naming (Commands/GenerateBuildMatrixCommand.cs
 * CreatePlatformId, GetNormalizedOsVersion, FormatMatrixName,
 * GenerateMatrixInfo; ViewModel/PlatformInfo.cs; StringExtensions.cs):
 *  - BaseOsVersion = osVersion with "-slim" trimmed from the end, repeatedly
 *    (TrimEndString loops).
 *  - Key = (OS, osVersion?, Architecture).  If BaseOsVersion is one of the
 *    --distinct-matrix-os-version values (exact, case-sensitive: a
 *    List.Contains) the key keeps BaseOsVersion, for Linux too; else Windows
 *    keys use BaseOsVersion with "nanoserver", then "windowsservercore"
 *    replaced by "windows" and "ltsc2019" by "1809" (String.Replace: every
 *    occurrence, ordinal); Linux keys have none.
 *  - Name = FormatMatrixName([key osVersion ?? "linux"/"windows",
 *    "arm32"/"arm64"/"amd64"]): all parts split on '-', the first word kept,
 *    every later word with its first char upper-cased, joined.
 *  - Order: OrderBy(OS) (Linux, Windows), ThenByDescending(osVersion),
 *    ThenBy(Architecture) (ARM, ARM64, AMD64).
 *
 * Deviations, on purpose:
 *  - A NULL filter means "no filter".  ImageBuilder's own CLI defaults
 *    --architecture / --os-type to the host's; the docker-tools templates
 *    pass '*' for both (eng/docker-tools/templates/jobs/generate-matrix.yml).
 *  - A missing include is a warning (ImageBuilder throws): names do not
 *    depend on manifest.versions.json-style includes.
 *  - Values must be JSON strings where the model has strings (Newtonsoft
 *    would turn 5 into "5"), os/architecture must be strings (Newtonsoft
 *    also takes enum numbers), "tags" is checked only when present, and
 *    Dockerfiles are not looked for on disk.  JSON must be strict (Newtonsoft
 *    also takes comments, trailing commas and single quotes).
 *  - ThenByDescending uses the culture-sensitive Comparer<string>.Default;
 *    culture_like_compare approximates it for ASCII (punctuation < digits <
 *    letters, case ignored, then lower case first); non-ASCII bytes compare
 *    by value.  IgnoreCase and FirstCharToUpper are ASCII-only here.
 *  - FormatMatrixName throws on an empty word after the first (an osVersion
 *    such as "nanoserver-"); here the word is dropped and a warning added.
 *  - buildOsVersion (docker-tools #2138, after the incident) is not read. */
#include "manifest.h"

#include "command.h"
#include "file.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define VSO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VSO_PRINTF(fmt, args)
#endif

/* A manifest is read whole; the real ones are well under 1 MiB. */
#define MANIFEST_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define MANIFEST_MAX_TEXT "64 MiB"
/* Names and keys quoted in messages are cut here. */
enum { QUOTE_MAX = 60 };

/* In ImageBuilder's enum order, which is the emission order. */
typedef enum { OS_LINUX, OS_WINDOWS } os_kind;
typedef enum { ARCH_ARM, ARCH_ARM64, ARCH_AMD64 } arch_kind;

static const char *const os_names[] = {"linux", "windows"};
static const char *const arch_docker_names[] = {"arm", "arm64", "amd64"};
static const char *const arch_display_names[] = {"arm32", "arm64", "amd64"};

typedef struct platform {
  os_kind os;
  arch_kind arch;
  char *dockerfile; /* the raw manifest value */
  char *os_version; /* the raw manifest value */
} platform;

typedef struct repo {
  char *name;
  platform *platforms;
  size_t n, cap;
} repo;

typedef struct group {
  os_kind os;
  arch_kind arch;
  char *os_version; /* the grouping version, NULL for plain Linux */
  const platform **members;
  size_t n, cap;
} group;

typedef struct loader {
  const char *file;   /* the file being read, for messages */
  vso_buf path;       /* JSON path of the node being read */
  vso_buf *err;
  bool failed;
  bool consolidate;   /* merge repos by name (only when there are includes) */
  repo *repos;
  size_t nrepos;
  char **variables;   /* variable names seen, to find duplicates */
  size_t nvariables;
  vso_manifest_result *out;
} loader;

/* ---- small helpers -------------------------------------------------------- */

static bool appendf(vso_buf *b, const char *fmt, ...) VSO_PRINTF(2, 3);

static bool appendf(vso_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !vso_buf_reserve(b, (size_t)n)) return false;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return true;
}

/* Appends s cut to max bytes, control and non-ASCII bytes as \xNN, so a
 * message stays one printable line whatever the manifest holds. */
static bool append_printable(vso_buf *b, const char *s, size_t max) {
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(s);
  size_t shown = n > max ? max : n;
  for (size_t i = 0; i < shown; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ok = c >= 0x20 && c < 0x7f && c != '\\'
                  ? vso_buf_append_char(b, (char)c)
                  : vso_buf_append(b, (char[]){'\\', 'x', hex[c >> 4], hex[c & 15]}, 4);
    if (!ok) return false;
  }
  return shown == n || vso_buf_append_str(b, "...");
}

static char *copy_string(const char *s) {
  size_t n = strlen(s);
  char *c = malloc(n + 1);
  if (c) memcpy(c, s, n + 1);
  return c;
}

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

static bool ascii_ieq(const char *a, const char *b) { return vso_ieq(a, strlen(a), b, strlen(b)); }

/* ---- messages ------------------------------------------------------------- */

/* Starts the one-line failure message "<file>: ", once. */
static bool begin_failure(loader *ld) {
  if (ld->failed) return false;
  ld->failed = true;
  append_printable(ld->err, ld->file, 200);
  vso_buf_append_str(ld->err, ": ");
  return true;
}

/* "<file>: <json path>: <what>" */
static bool fail_at(loader *ld, const char *what) {
  if (begin_failure(ld)) {
    vso_buf_append(ld->err, ld->path.data ? ld->path.data : "$", ld->path.data ? ld->path.len : 1);
    vso_buf_append_str(ld->err, ": ");
    vso_buf_append_str(ld->err, what);
  }
  return false;
}

static bool fail_oom(loader *ld) {
  if (begin_failure(ld)) vso_buf_append_str(ld->err, "out of memory");
  return false;
}

static bool add_warning(vso_manifest_result *out, const vso_buf *text) {
  char **w = realloc(out->warnings, (out->nwarnings + 1) * sizeof *w);
  if (!w) return false;
  out->warnings = w;
  char *copy = copy_string(text->data ? text->data : "");
  if (!copy) return false;
  out->warnings[out->nwarnings++] = copy;
  return true;
}

/* ---- JSON paths ------------------------------------------------------------ */

static bool path_key(loader *ld, const char *key) {
  return vso_buf_append_char(&ld->path, '.') && vso_buf_append_str(&ld->path, key) ? true
                                                                                   : fail_oom(ld);
}

static bool path_index(loader *ld, size_t i) {
  return appendf(&ld->path, "[%zu]", i) ? true : fail_oom(ld);
}

/* $.variables['name'] for keys that are data, not schema. */
static bool path_quoted_key(loader *ld, const char *key) {
  bool ok = vso_buf_append_str(&ld->path, "['") && append_printable(&ld->path, key, QUOTE_MAX) &&
            vso_buf_append_str(&ld->path, "']");
  return ok ? true : fail_oom(ld);
}

static void path_truncate(loader *ld, size_t len) {
  ld->path.len = len;
  if (ld->path.data) ld->path.data[len] = '\0';
}

/* ---- reading files ---------------------------------------------------------- */

static bool fail_read(loader *ld, int rc) {
  if (!begin_failure(ld)) return false;
  if (rc == EFBIG)
    vso_buf_append_str(ld->err, "larger than " MANIFEST_MAX_TEXT ", the limit for a manifest");
  else if (rc == ENOMEM)
    vso_buf_append_str(ld->err, "out of memory");
  else
    appendf(ld->err, "cannot read: %s", strerror(rc));
  return false;
}

/* 1-based line and byte column of text[offset]. */
static void line_and_column(const char *text, size_t offset, size_t *line, size_t *column) {
  *line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; i++)
    if (text[i] == '\n') {
      (*line)++;
      line_start = i + 1;
    }
  *column = offset - line_start + 1;
}

static bool fail_json(loader *ld, const char *text, size_t offset, const char *what) {
  size_t line, column;
  line_and_column(text, offset, &line, &column);
  if (begin_failure(ld)) appendf(ld->err, "%s at line %zu, column %zu", what, line, column);
  return false;
}

/* Parses text[0..len) (NUL at len).  cJSON would stop at an inner NUL and
 * call the rest valid, so those are refused first. */
static cJSON *parse_json(loader *ld, const char *text, size_t len) {
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    fail_json(ld, text, (size_t)(nul - text), "NUL byte");
    return NULL;
  }
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (!root) {
    size_t at = end ? (size_t)(end - text) : 0;
    fail_json(ld, text, at > len ? len : at, "JSON parse error");
  }
  return root;
}

/* ---- typed members ---------------------------------------------------------- */

/* Newtonsoft's view of obj.name: case-insensitive, the last one wins. */
static const cJSON *member(const cJSON *obj, const char *name) {
  const cJSON *found = NULL;
  for (const cJSON *it = obj->child; it; it = it->next)
    if (it->string && ascii_ieq(it->string, name)) found = it;
  return found;
}

typedef enum { OPTIONAL, REQUIRED } presence;

/* *out = the member's string, or NULL when absent/null and allowed. */
static bool get_string(loader *ld, const cJSON *obj, const char *name, presence need,
                       const char **out) {
  const cJSON *v = member(obj, name);
  *out = NULL;
  if (!v || cJSON_IsNull(v)) {
    if (need == OPTIONAL) return true;
    size_t mark = ld->path.len;
    if (path_key(ld, name)) fail_at(ld, v ? "expected a string, not null" : "missing (required)");
    path_truncate(ld, mark);
    return false;
  }
  if (cJSON_IsString(v)) {
    *out = v->valuestring;
    return true;
  }
  size_t mark = ld->path.len;
  if (path_key(ld, name)) fail_at(ld, "expected a string");
  path_truncate(ld, mark);
  return false;
}

/* *out = the member if it is of the wanted type (an array or an object). */
static bool get_container(loader *ld, const cJSON *obj, const char *name, presence need, int type,
                          const cJSON **out) {
  const cJSON *v = member(obj, name);
  *out = NULL;
  const char *what = type == cJSON_Array ? "expected an array" : "expected an object";
  if ((!v || cJSON_IsNull(v)) && need == OPTIONAL) return true;
  if (v && (v->type & 0xFF) == type) {
    *out = v;
    return true;
  }
  size_t mark = ld->path.len;
  if (path_key(ld, name)) fail_at(ld, !v ? "missing (required)" : what);
  path_truncate(ld, mark);
  return false;
}

/* ---- the model ---------------------------------------------------------------- */

static bool parse_os(loader *ld, const cJSON *p, os_kind *os) {
  const char *s;
  if (!get_string(ld, p, "os", REQUIRED, &s)) return false;
  for (int k = OS_LINUX; k <= OS_WINDOWS; k++)
    if (ascii_ieq(s, os_names[k])) {
      *os = (os_kind)k;
      return true;
    }
  size_t mark = ld->path.len;
  if (path_key(ld, "os")) fail_at(ld, "expected \"linux\" or \"windows\"");
  path_truncate(ld, mark);
  return false;
}

static bool parse_architecture(loader *ld, const cJSON *p, arch_kind *arch) {
  const char *s;
  *arch = ARCH_AMD64; /* Platform.Architecture's default */
  if (!get_string(ld, p, "architecture", OPTIONAL, &s)) return false;
  if (!s) return true;
  for (int k = ARCH_ARM; k <= ARCH_AMD64; k++)
    if (ascii_ieq(s, arch_docker_names[k])) {
      *arch = (arch_kind)k;
      return true;
    }
  size_t mark = ld->path.len;
  if (path_key(ld, "architecture")) fail_at(ld, "expected \"arm\", \"arm64\" or \"amd64\"");
  path_truncate(ld, mark);
  return false;
}

static bool add_platform(loader *ld, repo *r, os_kind os, arch_kind arch, const char *dockerfile,
                         const char *os_version) {
  if (!vso_grow(&r->platforms, &r->cap, r->n, sizeof *r->platforms)) return fail_oom(ld);
  platform *p = &r->platforms[r->n];
  *p = (platform){.os = os, .arch = arch};
  p->dockerfile = copy_string(dockerfile);
  p->os_version = copy_string(os_version);
  r->n++; /* counted before the check, so a half-made entry is still freed */
  return p->dockerfile && p->os_version ? true : fail_oom(ld);
}

static bool read_platform(loader *ld, const cJSON *p, repo *r) {
  if (!cJSON_IsObject(p)) return fail_at(ld, "expected an object");
  const char *dockerfile, *os_version, *variant;
  const cJSON *tags;
  os_kind os;
  arch_kind arch;
  if (!get_string(ld, p, "dockerfile", REQUIRED, &dockerfile) || !parse_os(ld, p, &os) ||
      !get_string(ld, p, "osVersion", REQUIRED, &os_version) || !parse_architecture(ld, p, &arch) ||
      !get_string(ld, p, "variant", OPTIONAL, &variant) ||
      !get_container(ld, p, "tags", OPTIONAL, cJSON_Object, &tags))
    return false;
  return add_platform(ld, r, os, arch, dockerfile, os_version);
}

/* Calls read_one(ld, element, ctx) for each element of array (the member
 * key), with the JSON path extended by .key[i]. */
static bool each_element(loader *ld, const cJSON *array, const char *key,
                         bool (*read_one)(loader *, const cJSON *, void *), void *ctx) {
  size_t mark = ld->path.len;
  if (!path_key(ld, key)) return false;
  size_t base = ld->path.len;
  size_t i = 0;
  for (const cJSON *el = array->child; el; el = el->next, i++) {
    if (!path_index(ld, i) || !read_one(ld, el, ctx)) return false;
    path_truncate(ld, base);
  }
  path_truncate(ld, mark);
  return true;
}

static bool read_platform_cb(loader *ld, const cJSON *p, void *r) { return read_platform(ld, p, r); }

static bool read_image(loader *ld, const cJSON *image, void *r) {
  if (!cJSON_IsObject(image)) return fail_at(ld, "expected an object");
  const cJSON *platforms;
  if (!get_container(ld, image, "platforms", REQUIRED, cJSON_Array, &platforms)) return false;
  return each_element(ld, platforms, "platforms", read_platform_cb, r);
}

/* The repo that images of a repo named name go into: with includes,
 * ImageBuilder merges repos of the same name; without, each stays apart. */
static repo *repo_for(loader *ld, const char *name) {
  if (ld->consolidate)
    for (size_t i = 0; i < ld->nrepos; i++)
      if (strcmp(ld->repos[i].name, name) == 0) return &ld->repos[i];
  repo *grown = realloc(ld->repos, (ld->nrepos + 1) * sizeof *grown);
  if (!grown) return NULL;
  ld->repos = grown;
  repo *r = &ld->repos[ld->nrepos];
  *r = (repo){.name = copy_string(name)};
  if (!r->name) return NULL;
  ld->nrepos++;
  return r;
}

static bool read_repo(loader *ld, const cJSON *r, void *unused) {
  (void)unused;
  if (!cJSON_IsObject(r)) return fail_at(ld, "expected an object");
  const char *name;
  const cJSON *images;
  if (!get_string(ld, r, "name", REQUIRED, &name) ||
      !get_container(ld, r, "images", REQUIRED, cJSON_Array, &images))
    return false;
  repo *into = repo_for(ld, name);
  if (!into) return fail_oom(ld);
  return each_element(ld, images, "images", read_image, into);
}

static bool is_variable_value(const cJSON *v) {
  return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v);
}

/* Records the variable names; an include may not redefine one. */
static bool read_variables(loader *ld, const cJSON *root) {
  const cJSON *vars;
  if (!get_container(ld, root, "variables", OPTIONAL, cJSON_Object, &vars)) return false;
  if (!vars) return true;
  size_t mark = ld->path.len;
  if (!path_key(ld, "variables")) return false;
  size_t base = ld->path.len;
  size_t first_of_this_file = ld->nvariables;
  for (const cJSON *v = vars->child; v; v = v->next) {
    if (!path_quoted_key(ld, v->string)) return false;
    if (!is_variable_value(v)) return fail_at(ld, "expected a string");
    bool seen_here = false;
    for (size_t i = 0; i < ld->nvariables; i++) {
      if (strcmp(ld->variables[i], v->string) != 0) continue;
      if (i < first_of_this_file)
        return fail_at(ld, "already defined by the manifest: each variable name must be unique");
      seen_here = true; /* repeated in one file: Newtonsoft keeps the last */
    }
    if (!seen_here) {
      char **grown = realloc(ld->variables, (ld->nvariables + 1) * sizeof *grown);
      if (!grown) return fail_oom(ld);
      ld->variables = grown;
      if (!(ld->variables[ld->nvariables] = copy_string(v->string))) return fail_oom(ld);
      ld->nvariables++;
    }
    path_truncate(ld, base);
  }
  path_truncate(ld, mark);
  return true;
}

/* Reads the repos and variables of one parsed file (the manifest or an
 * include). */
static bool read_model(loader *ld, const cJSON *root) {
  if (!cJSON_IsObject(root)) return fail_at(ld, "expected an object");
  const cJSON *repos;
  if (!get_container(ld, root, "repos", OPTIONAL, cJSON_Array, &repos) || !read_variables(ld, root))
    return false;
  return !repos || each_element(ld, repos, "repos", read_repo, NULL);
}

/* Loads one file into the loader: parse, then read_model; with root_out the
 * parsed tree is handed over instead (the caller reads it and deletes it).
 * When missing is non-NULL, a file that does not exist sets *missing and is
 * not an error. */
static bool load_file(loader *ld, const char *file, bool *missing, cJSON **root_out) {
  ld->file = file;
  path_truncate(ld, 0);
  if (!vso_buf_append_char(&ld->path, '$')) return fail_oom(ld);
  vso_buf text = {0};
  int rc = vso_read_file(file, MANIFEST_MAX_BYTES, &text);
  if ((rc == ENOENT || rc == ENOTDIR) && missing) {
    vso_buf_free(&text);
    *missing = true;
    return true;
  }
  if (rc) {
    vso_buf_free(&text);
    return fail_read(ld, rc);
  }
  cJSON *root = parse_json(ld, text.data, text.len);
  vso_buf_free(&text);
  if (!root) return false;
  if (root_out) {
    *root_out = root;
    return true;
  }
  bool ok = read_model(ld, root);
  cJSON_Delete(root);
  return ok;
}

/* "dir/" of the manifest's path ("" when it has no directory part). */
static char *include_path(const char *manifest_path, const char *include) {
  const char *slash = strrchr(manifest_path, '/');
  size_t dir_len = slash ? (size_t)(slash - manifest_path) + 1 : 0;
  size_t n = strlen(include);
  char *p = malloc(dir_len + n + 1);
  if (!p) return NULL;
  memcpy(p, manifest_path, dir_len);
  memcpy(p + dir_len, include, n + 1);
  return p;
}

static bool warn_missing_include(loader *ld, const char *path) {
  vso_buf w = {0};
  bool ok = append_printable(&w, ld->file, 200) && vso_buf_append_str(&w, ": include ") &&
            append_printable(&w, path, 200) &&
            vso_buf_append_str(&w, " does not exist; skipped (ImageBuilder would fail; the matrix "
                                   "names do not depend on it)") &&
            add_warning(ld->out, &w);
  vso_buf_free(&w);
  return ok ? true : fail_oom(ld);
}

static bool read_include(loader *ld, const char *manifest_path, const char *include) {
  if (include[0] == '/') return fail_at(ld, "an include must be a relative path");
  char *path = include_path(manifest_path, include);
  if (!path) return fail_oom(ld);
  bool missing = false;
  bool ok = load_file(ld, path, &missing, NULL);
  if (ok && missing) {
    ld->file = manifest_path;
    ok = warn_missing_include(ld, path);
  }
  free(path);
  return ok;
}

/* Reads the manifest at path, then its includes. */
static bool load_manifest(loader *ld, const char *path) {
  cJSON *root = NULL;
  if (!load_file(ld, path, NULL, &root)) return false;
  const cJSON *includes = NULL;
  bool ok = cJSON_IsObject(root) ? get_container(ld, root, "includes", OPTIONAL, cJSON_Array, &includes)
                                 : fail_at(ld, "expected an object");
  ld->consolidate = includes && includes->child;
  ok = ok && read_model(ld, root);
  size_t i = 0;
  for (const cJSON *inc = includes ? includes->child : NULL; ok && inc; inc = inc->next, i++) {
    ld->file = path;
    path_truncate(ld, 1); /* "$" */
    ok = path_key(ld, "includes") && path_index(ld, i);
    if (ok && !cJSON_IsString(inc)) ok = fail_at(ld, "expected a string");
    if (ok) ok = read_include(ld, path, inc->valuestring);
  }
  cJSON_Delete(root);
  if (ok && ld->nrepos == 0) {
    ld->file = path;
    path_truncate(ld, 1);
    ok = path_key(ld, "repos") && fail_at(ld, "the manifest must contain at least one repo");
  }
  return ok;
}

/* ---- filters ------------------------------------------------------------------ */

/* Length of the character at s[0..n): a whole UTF-8 sequence when valid. */
static size_t char_len(const unsigned char *s, size_t n) {
  size_t want = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 1;
  if (s[0] < 0x80 || want > n) return 1;
  for (size_t k = 1; k < want; k++)
    if ((s[k] & 0xC0) != 0x80) return 1;
  return want;
}

/* ImageBuilder's ^(glob)$ with IgnoreCase (see the top of the file), by
 * dynamic programming so no pattern can make it slow.  Returns 1, 0, or -1
 * when out of memory. */
static int glob_matches(const char *pattern, const char *subject) {
  const unsigned char *s = (const unsigned char *)subject;
  size_t n = strlen(subject);
  bool *cur = calloc(n + 1, sizeof *cur);
  bool *next = calloc(n + 1, sizeof *next);
  if (!cur || !next) {
    free(cur);
    free(next);
    return -1;
  }
  cur[0] = true; /* the empty pattern prefix matches the empty subject prefix */
  for (const char *pc = pattern; *pc; pc++) {
    memset(next, 0, (n + 1) * sizeof *next);
    for (size_t j = 0; j <= n; j++) {
      if (*pc == '*') {
        next[j] = cur[j] || (j > 0 && next[j - 1] && s[j - 1] != '\n');
      } else if (cur[j] && j < n && s[j] != '\n' && *pc == '?') {
        next[j + char_len(s + j, n - j)] = true;
      } else if (cur[j] && j < n && ascii_lower((char)s[j]) == ascii_lower(*pc)) {
        next[j + 1] = true;
      }
    }
    bool *t = cur;
    cur = next;
    next = t;
  }
  int result = cur[n] || (n > 0 && s[n - 1] == '\n' && cur[n - 1]);
  free(cur);
  free(next);
  return result;
}

/* 1 if subject matches any of the patterns, 0 if not, -1 out of memory. */
static int any_glob_matches(const char *const *patterns, size_t n, const char *subject) {
  for (size_t i = 0; i < n; i++) {
    if (!patterns[i]) continue;
    int m = glob_matches(patterns[i], subject);
    if (m) return m;
  }
  return 0;
}

/* 1 if ImageBuilder's ManifestFilter keeps p, 0 if not, -1 out of memory. */
static int filter_keeps(const vso_manifest_filter *f, const platform *p) {
  if (!f) return 1;
  int m = 1;
  if (m == 1 && f->architecture && *f->architecture)
    m = glob_matches(f->architecture, arch_docker_names[p->arch]);
  if (m == 1 && f->os_type && *f->os_type) m = glob_matches(f->os_type, os_names[p->os]);
  if (m == 1 && f->npaths) m = any_glob_matches(f->paths, f->npaths, p->dockerfile);
  if (m == 1 && f->os_version) m = glob_matches(f->os_version, p->os_version);
  return m;
}

/* ---- grouping ------------------------------------------------------------------ */

/* TrimEndString(osVersion, "-slim"), which loops. */
static char *base_os_version(const char *os_version) {
  static const char slim[] = "-slim";
  const size_t slim_len = sizeof slim - 1;
  size_t n = strlen(os_version);
  while (n >= slim_len && memcmp(os_version + n - slim_len, slim, slim_len) == 0) n -= slim_len;
  char *b = malloc(n + 1);
  if (!b) return NULL;
  memcpy(b, os_version, n);
  b[n] = '\0';
  return b;
}

/* String.Replace(from, to): every occurrence, left to right, ordinal.  Takes
 * ownership of s. */
static char *replace_all(char *s, const char *from, const char *to) {
  if (!s) return NULL;
  size_t from_len = strlen(from), to_len = strlen(to);
  vso_buf b = {0};
  const char *p = s;
  for (const char *hit; (hit = strstr(p, from)) != NULL; p = hit + from_len)
    if (!vso_buf_append(&b, p, (size_t)(hit - p)) || !vso_buf_append(&b, to, to_len)) goto oom;
  if (!vso_buf_append_str(&b, p)) goto oom;
  free(s);
  return vso_buf_steal(&b, NULL);
oom:
  vso_buf_free(&b);
  free(s);
  return NULL;
}

static bool is_distinct(const vso_manifest_filter *f, const char *base) {
  for (size_t i = 0; f && i < f->ndistinct; i++)
    if (f->distinct_os_versions[i] && strcmp(f->distinct_os_versions[i], base) == 0) return true;
  return false;
}

/* CreatePlatformId's osVersion: *key = NULL for plain Linux.  False when out
 * of memory. */
static bool group_os_version(const vso_manifest_filter *f, const platform *p, char **key) {
  char *base = base_os_version(p->os_version);
  *key = NULL;
  if (!base) return false;
  if (is_distinct(f, base)) {
    *key = base;
  } else if (p->os != OS_LINUX) {
    base = replace_all(base, "nanoserver", "windows");
    base = replace_all(base, "windowsservercore", "windows");
    *key = replace_all(base, "ltsc2019", "1809");
    return *key != NULL;
  } else {
    free(base);
  }
  return true;
}

static bool same_key(const group *g, os_kind os, arch_kind arch, const char *os_version) {
  if (g->os != os || g->arch != arch) return false;
  if (!g->os_version || !os_version) return g->os_version == os_version;
  return strcmp(g->os_version, os_version) == 0;
}

/* Adds p to its group, creating it; takes ownership of key. */
static bool add_to_group(group **groups, size_t *ngroups, size_t *cap, const platform *p, char *key) {
  group *g = NULL;
  for (size_t i = 0; i < *ngroups && !g; i++)
    if (same_key(&(*groups)[i], p->os, p->arch, key)) g = &(*groups)[i];
  if (g) {
    free(key);
  } else {
    if (!vso_grow(groups, cap, *ngroups, sizeof **groups)) {
      free(key);
      return false;
    }
    g = &(*groups)[(*ngroups)++];
    *g = (group){.os = p->os, .arch = p->arch, .os_version = key};
  }
  if (!vso_grow(&g->members, &g->cap, g->n, sizeof *g->members)) return false;
  g->members[g->n++] = p;
  return true;
}

/* ---- ordering ------------------------------------------------------------------ */

/* Primary weight of a case-folded byte: punctuation, digits, letters,
 * then anything non-ASCII, as a culture-aware compare orders them. */
static int char_class(unsigned char c) {
  if (c >= '0' && c <= '9') return 1;
  if (c >= 'a' && c <= 'z') return 2;
  if (c >= 0x80) return 3;
  return 0;
}

/* Approximates .NET's culture-sensitive string compare (what
 * Comparer<string>.Default does) for the ASCII values manifests use. */
static int culture_like_compare(const char *a, const char *b) {
  size_t i = 0;
  for (; a[i] && b[i]; i++) {
    unsigned char fa = (unsigned char)ascii_lower(a[i]), fb = (unsigned char)ascii_lower(b[i]);
    if (fa == fb) continue;
    int ca = char_class(fa), cb = char_class(fb);
    if (ca != cb) return ca < cb ? -1 : 1;
    return fa < fb ? -1 : 1;
  }
  if (a[i] || b[i]) return a[i] ? 1 : -1; /* a proper prefix sorts first */
  for (i = 0; a[i]; i++) /* same letters: lower case sorts first */
    if (a[i] != b[i]) return a[i] >= 'a' && a[i] <= 'z' ? -1 : 1;
  return 0;
}

/* OrderBy(OS).ThenByDescending(osVersion).ThenBy(Architecture); a null
 * osVersion is the smallest, so it comes last. */
static int compare_groups(const void *pa, const void *pb) {
  const group *a = pa, *b = pb;
  if (a->os != b->os) return a->os < b->os ? -1 : 1;
  if (a->os_version != b->os_version) {
    if (!a->os_version) return 1;
    if (!b->os_version) return -1;
    int c = culture_like_compare(a->os_version, b->os_version);
    if (c) return -c;
  }
  if (a->arch != b->arch) return a->arch < b->arch ? -1 : 1;
  return 0;
}

/* ---- naming ---------------------------------------------------------------------- */

/* FormatMatrixName for one part: split on '-', the very first word kept,
 * later words capitalised.  *dropped_empty is set for an empty later word,
 * where ImageBuilder's FirstCharToUpper would throw. */
static bool append_matrix_name_part(vso_buf *name, const char *part, bool *first_word,
                                    bool *dropped_empty) {
  for (const char *word = part;;) {
    const char *dash = strchr(word, '-');
    size_t len = dash ? (size_t)(dash - word) : strlen(word);
    if (*first_word) {
      if (!vso_buf_append(name, word, len)) return false;
      *first_word = false;
    } else if (len == 0) {
      *dropped_empty = true;
    } else if (!vso_buf_append_char(name, ascii_upper(word[0])) ||
               !vso_buf_append(name, word + 1, len - 1)) {
      return false;
    }
    if (!dash) return true;
    word = dash + 1;
  }
}

static bool matrix_name(const group *g, char **name, vso_manifest_result *out) {
  vso_buf b = {0};
  bool first_word = true, dropped_empty = false;
  const char *os_part = g->os_version ? g->os_version : os_names[g->os];
  bool ok = append_matrix_name_part(&b, os_part, &first_word, &dropped_empty) &&
            append_matrix_name_part(&b, arch_display_names[g->arch], &first_word, &dropped_empty) &&
            vso_buf_reserve(&b, 0);
  if (ok && dropped_empty) {
    vso_buf w = {0};
    ok = vso_buf_append_str(&w, "matrix ") && append_printable(&w, b.data, QUOTE_MAX) &&
         vso_buf_append_str(&w, ": OS version ") && append_printable(&w, os_part, QUOTE_MAX) &&
         vso_buf_append_str(&w, " has an empty '-'-separated word, on which ImageBuilder's "
                                "FormatMatrixName throws") &&
         add_warning(out, &w);
    vso_buf_free(&w);
  }
  if (!ok) {
    vso_buf_free(&b);
    return false;
  }
  *name = vso_buf_steal(&b, NULL);
  return *name != NULL;
}

/* ---- results ---------------------------------------------------------------------- */

static bool copy_platform(const platform *p, vso_manifest_platform *out) {
  out->dockerfile = copy_string(p->dockerfile);
  out->os_type = copy_string(os_names[p->os]);
  out->os_version = copy_string(p->os_version);
  out->architecture = copy_string(arch_docker_names[p->arch]);
  return out->dockerfile && out->os_type && out->os_version && out->architecture;
}

static bool emit_matrix(const group *g, vso_manifest_result *out) {
  vso_manifest_matrix *m = &out->matrices[out->n++]; /* zeroed by calloc */
  if (!matrix_name(g, &m->name, out)) return false;
  m->platforms = calloc(g->n, sizeof *m->platforms);
  if (!m->platforms) return false;
  for (size_t i = 0; i < g->n; i++) {
    m->nplatforms++;
    if (!copy_platform(g->members[i], &m->platforms[i])) return false;
  }
  return true;
}

static void free_groups(group *groups, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(groups[i].os_version);
    free(groups[i].members);
  }
  free(groups);
}

/* Filters, groups, orders and names the loaded platforms into out. */
static bool build_matrices(loader *ld, const vso_manifest_filter *f) {
  group *groups = NULL;
  size_t ngroups = 0, cap = 0;
  bool ok = true;
  for (size_t r = 0; ok && r < ld->nrepos; r++)
    for (size_t i = 0; ok && i < ld->repos[r].n; i++) {
      const platform *p = &ld->repos[r].platforms[i];
      int keep = filter_keeps(f, p);
      char *key = NULL;
      if (keep < 0) ok = false;
      else if (keep) ok = group_os_version(f, p, &key) && add_to_group(&groups, &ngroups, &cap, p, key);
    }
  if (ok && ngroups) {
    qsort(groups, ngroups, sizeof *groups, compare_groups);
    ld->out->matrices = calloc(ngroups, sizeof *ld->out->matrices);
    ok = ld->out->matrices != NULL;
    for (size_t i = 0; ok && i < ngroups; i++) ok = emit_matrix(&groups[i], ld->out);
  }
  free_groups(groups, ngroups);
  return ok ? true : fail_oom(ld);
}

/* ---- API --------------------------------------------------------------------------- */

static void free_loader(loader *ld) {
  for (size_t r = 0; r < ld->nrepos; r++) {
    for (size_t i = 0; i < ld->repos[r].n; i++) {
      free(ld->repos[r].platforms[i].dockerfile);
      free(ld->repos[r].platforms[i].os_version);
    }
    free(ld->repos[r].platforms);
    free(ld->repos[r].name);
  }
  free(ld->repos);
  for (size_t i = 0; i < ld->nvariables; i++) free(ld->variables[i]);
  free(ld->variables);
  vso_buf_free(&ld->path);
}

bool vso_manifest_expected(const char *path, const vso_manifest_filter *filter,
                           vso_manifest_result *out, vso_buf *err) {
  memset(out, 0, sizeof *out);
  loader ld = {.file = path, .err = err, .out = out};
  bool ok = load_manifest(&ld, path) && build_matrices(&ld, filter);
  free_loader(&ld);
  if (!ok) vso_manifest_result_free(out);
  return ok;
}

void vso_manifest_result_free(vso_manifest_result *r) {
  for (size_t i = 0; i < r->n; i++) {
    vso_manifest_matrix *m = &r->matrices[i];
    for (size_t k = 0; k < m->nplatforms; k++) {
      free(m->platforms[k].dockerfile);
      free(m->platforms[k].os_type);
      free(m->platforms[k].os_version);
      free(m->platforms[k].architecture);
    }
    free(m->platforms);
    free(m->name);
  }
  free(r->matrices);
  for (size_t i = 0; i < r->nwarnings; i++) free(r->warnings[i]);
  free(r->warnings);
  memset(r, 0, sizeof *r);
}
