/* SPDX-License-Identifier: MIT */
/* Loading ImageBuilder's manifest.json (manifest.h).
 *
 * What was read in dotnet/docker-tools (ManifestJsonService.LoadModel,
 * Models/Manifest/{Manifest,Repo,Image,Platform}.cs) and mirrored here; the
 * upstream commits are in docs/imagebuilder.md:
 *  - The manifest is deserialised with Newtonsoft.  Required members:
 *    Repo.name, Repo.images, Image.platforms, Platform.dockerfile, .os,
 *    .osVersion, .tags.  Platform.architecture defaults to AMD64.  os and
 *    architecture are enums read by StringEnumConverter, case-insensitively.
 *    Newtonsoft matches member names case-insensitively and a repeated member
 *    overwrites the earlier one (vso_json_member).
 *  - "includes" (no recursion: an include's own includes are ignored) are
 *    read relative to the manifest's directory; each include's variables are
 *    added (a name already defined is an error), its repos appended, and then
 *    repos with the same name are merged (GroupBy name: first position kept,
 *    images concatenated).  That merging only happens when includes has at
 *    least one entry.
 *  - ModelExtensions.Validate: at least one repo; an include must be a
 *    relative path.
 *
 * Deviations, on purpose:
 *  - A missing include is a warning (ImageBuilder throws): the matrix names
 *    do not depend on manifest.versions.json-style includes.
 *  - Values must be JSON strings where the model has strings (Newtonsoft
 *    would turn 5 into "5"), os/architecture must be strings (Newtonsoft
 *    also takes enum numbers), "tags" is checked only when present, and
 *    Dockerfiles are not looked for on disk.  JSON must be strict (Newtonsoft
 *    also takes comments, trailing commas and single quotes). */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "json.h"

/* A manifest is read whole; the real ones are well under 1 MiB. */
#define MANIFEST_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define MANIFEST_LIMIT_TEXT "64 MiB, the limit for a manifest"

const char *const vso_os_names[] = {"linux", "windows"};
const char *const vso_arch_docker_names[] = {"arm", "arm64", "amd64"};

static char *copy_string(const char *s) {
  size_t n = strlen(s);
  char *c = malloc(n + 1);
  if (c) memcpy(c, s, n + 1);
  return c;
}

static bool ieq(const char *a, const char *b) { return vso_ieq(a, strlen(a), b, strlen(b)); }

bool vso_manifest_add_string(char ***strings, size_t *n, const char *s) {
  char **w = realloc(*strings, (*n + 1) * sizeof *w);
  if (!w) return false;
  *strings = w;
  if (!(w[*n] = copy_string(s))) return false;
  (*n)++;
  return true;
}

/* ---- a platform -------------------------------------------------------------- */

static bool parse_os(vso_json_reader *r, const cJSON *p, vso_os *os) {
  const char *s;
  if (!vso_json_get_string(r, p, "os", VSO_JSON_REQUIRED, &s)) return false;
  for (int k = VSO_OS_LINUX; k <= VSO_OS_WINDOWS; k++)
    if (ieq(s, vso_os_names[k])) {
      *os = (vso_os)k;
      return true;
    }
  return vso_json_fail_member(r, "os", "expected \"linux\" or \"windows\"");
}

static bool parse_architecture(vso_json_reader *r, const cJSON *p, vso_arch *arch) {
  const char *s;
  *arch = VSO_ARCH_AMD64; /* Platform.Architecture's default */
  if (!vso_json_get_string(r, p, "architecture", VSO_JSON_OPTIONAL, &s)) return false;
  if (!s) return true;
  for (int k = VSO_ARCH_ARM; k <= VSO_ARCH_AMD64; k++)
    if (ieq(s, vso_arch_docker_names[k])) {
      *arch = (vso_arch)k;
      return true;
    }
  return vso_json_fail_member(r, "architecture", "expected \"arm\", \"arm64\" or \"amd64\"");
}

/* Where a platform goes, and what its image says about it. */
typedef struct image_ctx {
  vso_manifest *m;
  vso_repo *repo;
  const char *product_version;  /* borrowed from the parsed JSON, or NULL */
  size_t image;
} image_ctx;

static bool add_platform(vso_json_reader *r, const image_ctx *ic, vso_platform p, const char *dockerfile,
                         const char *os_version) {
  vso_repo *repo = ic->repo;
  if (!vso_grow(&repo->platforms, &repo->cap, repo->n, sizeof *repo->platforms)) return vso_json_fail_oom(r);
  p.dockerfile = copy_string(dockerfile);
  p.os_version = copy_string(os_version);
  p.product_version = ic->product_version ? copy_string(ic->product_version) : NULL;
  p.image = ic->image;
  repo->platforms[repo->n++] = p; /* counted before the check, so a half-made entry is still freed */
  return p.dockerfile && p.os_version && (p.product_version || !ic->product_version) ? true : vso_json_fail_oom(r);
}

static bool read_platform(vso_json_reader *r, const cJSON *p, void *ctx) {
  if (!cJSON_IsObject(p)) return vso_json_fail_at(r, "expected an object");
  const char *dockerfile, *os_version, *variant;
  const cJSON *tags;
  vso_platform platform = {.os = VSO_OS_LINUX};
  if (!vso_json_get_string(r, p, "dockerfile", VSO_JSON_REQUIRED, &dockerfile) || !parse_os(r, p, &platform.os) ||
      !vso_json_get_string(r, p, "osVersion", VSO_JSON_REQUIRED, &os_version) ||
      !parse_architecture(r, p, &platform.arch) ||
      !vso_json_get_string(r, p, "variant", VSO_JSON_OPTIONAL, &variant) ||
      !vso_json_get_container(r, p, "tags", VSO_JSON_OPTIONAL, cJSON_Object, &tags))
    return false;
  platform.has_tags = tags && tags->child;
  return add_platform(r, ctx, platform, dockerfile, os_version);
}

static bool read_image(vso_json_reader *r, const cJSON *image, void *ctx) {
  image_ctx *ic = ctx;
  if (!cJSON_IsObject(image)) return vso_json_fail_at(r, "expected an object");
  const cJSON *platforms;
  if (!vso_json_get_container(r, image, "platforms", VSO_JSON_REQUIRED, cJSON_Array, &platforms) ||
      !vso_json_get_string(r, image, "productVersion", VSO_JSON_OPTIONAL, &ic->product_version))
    return false;
  ic->image = ic->m->nimages++;
  return vso_json_each(r, platforms, "platforms", read_platform, ic);
}

/* ---- repos and variables ---------------------------------------------------------- */

/* The repo that images of a repo named name go into: with includes,
 * ImageBuilder merges repos of the same name; without, each stays apart. */
static vso_repo *repo_for(vso_manifest *m, const char *name) {
  if (m->merge_repos_)
    for (size_t i = 0; i < m->nrepos; i++)
      if (strcmp(m->repos[i].name, name) == 0) return &m->repos[i];
  vso_repo *grown = realloc(m->repos, (m->nrepos + 1) * sizeof *grown);
  if (!grown) return NULL;
  m->repos = grown;
  vso_repo *repo = &m->repos[m->nrepos];
  *repo = (vso_repo){.name = copy_string(name)};
  if (!repo->name) return NULL;
  m->nrepos++;
  return repo;
}

static bool read_repo(vso_json_reader *r, const cJSON *json, void *manifest) {
  if (!cJSON_IsObject(json)) return vso_json_fail_at(r, "expected an object");
  const char *name;
  const cJSON *images;
  if (!vso_json_get_string(r, json, "name", VSO_JSON_REQUIRED, &name) ||
      !vso_json_get_container(r, json, "images", VSO_JSON_REQUIRED, cJSON_Array, &images))
    return false;
  image_ctx ic = {.m = manifest, .repo = repo_for(manifest, name)};
  if (!ic.repo) return vso_json_fail_oom(r);
  return vso_json_each(r, images, "images", read_image, &ic);
}

static bool is_variable_value(const cJSON *v) {
  return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v);
}

/* A variable's value as a string, as Newtonsoft makes one of a JSON value
 * (NULL for null; a number as cJSON prints it, which may differ from the
 * text in the file). */
static char *variable_value(const cJSON *v) {
  if (cJSON_IsString(v)) return copy_string(v->valuestring);
  if (cJSON_IsBool(v)) return copy_string(cJSON_IsTrue(v) ? "True" : "False");
  if (cJSON_IsNumber(v)) return cJSON_PrintUnformatted(v);
  return NULL;
}

/* Records one variable and its value; an include may not redefine one. */
static bool read_variable(vso_json_reader *r, vso_manifest *m, const cJSON *v, size_t first_of_this_file) {
  if (!is_variable_value(v)) return vso_json_fail_at(r, "expected a string");
  char *value = variable_value(v);
  if (!value && !cJSON_IsNull(v)) return vso_json_fail_oom(r);
  for (size_t i = 0; i < m->nvariables; i++) {
    if (strcmp(m->variables[i], v->string) != 0) continue;
    if (i < first_of_this_file) {
      free(value);
      return vso_json_fail_at(r, "already defined by the manifest: each variable name must be unique");
    }
    free(m->values[i]); /* repeated in one file: Newtonsoft keeps the last */
    m->values[i] = value;
    return true;
  }
  char **values = realloc(m->values, (m->nvariables + 1) * sizeof *values);
  if (values) m->values = values;
  if (!values || !vso_manifest_add_string(&m->variables, &m->nvariables, v->string)) {
    free(value);
    return vso_json_fail_oom(r);
  }
  m->values[m->nvariables - 1] = value;
  return true;
}

static bool read_variables(vso_json_reader *r, vso_manifest *m, const cJSON *root) {
  const cJSON *vars;
  if (!vso_json_get_container(r, root, "variables", VSO_JSON_OPTIONAL, cJSON_Object, &vars)) return false;
  if (!vars) return true;
  size_t mark = vso_json_path_mark(r);
  if (!vso_json_path_key(r, "variables")) return false;
  size_t base = vso_json_path_mark(r);
  size_t first_of_this_file = m->nvariables;
  for (const cJSON *v = vars->child; v; v = v->next) {
    if (!vso_json_path_quoted_key(r, v->string) || !read_variable(r, m, v, first_of_this_file)) return false;
    vso_json_path_truncate(r, base);
  }
  vso_json_path_truncate(r, mark);
  return true;
}

/* Reads the repos and variables of one parsed file (the manifest or an
 * include). */
static bool read_model(vso_json_reader *r, vso_manifest *m, const cJSON *root) {
  if (!cJSON_IsObject(root)) return vso_json_fail_at(r, "expected an object");
  const cJSON *repos;
  if (!vso_json_get_container(r, root, "repos", VSO_JSON_OPTIONAL, cJSON_Array, &repos) ||
      !read_variables(r, m, root))
    return false;
  return !repos || vso_json_each(r, repos, "repos", read_repo, m);
}

/* ---- files and includes ---------------------------------------------------------------- */

/* "dir/" of the manifest's path ("" when it has no directory part), then include. */
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

static bool warn_missing_include(vso_json_reader *r, vso_manifest *m, const char *manifest_path, const char *path) {
  vso_buf w = {0};
  bool ok = vso_json_append_printable(&w, manifest_path, 200) && vso_buf_append_str(&w, ": include ") &&
            vso_json_append_printable(&w, path, 200) &&
            vso_buf_append_str(&w, " does not exist; skipped (ImageBuilder would fail; the matrix "
                                   "names do not depend on it)") &&
            vso_manifest_add_string(&m->warnings, &m->nwarnings, w.data);
  vso_buf_free(&w);
  return ok ? true : vso_json_fail_oom(r);
}

static bool read_include(vso_json_reader *r, vso_manifest *m, const char *manifest_path, const char *include) {
  if (include[0] == '/') return vso_json_fail_at(r, "an include must be a relative path");
  char *path = include_path(manifest_path, include);
  if (!path) return vso_json_fail_oom(r);
  bool missing = false;
  cJSON *root = NULL;
  r->file = path;
  bool ok = vso_json_load(r, MANIFEST_MAX_BYTES, MANIFEST_LIMIT_TEXT, &missing, &root);
  if (ok && root) ok = read_model(r, m, root);
  r->file = manifest_path;
  if (ok && missing) ok = warn_missing_include(r, m, manifest_path, path);
  cJSON_Delete(root);
  free(path);
  return ok;
}

static bool read_includes(vso_json_reader *r, vso_manifest *m, const char *path, const cJSON *includes) {
  size_t i = 0;
  for (const cJSON *inc = includes ? includes->child : NULL; inc; inc = inc->next, i++) {
    vso_json_path_truncate(r, 1); /* "$" */
    if (!vso_json_path_key(r, "includes") || !vso_json_path_index(r, i)) return false;
    if (!cJSON_IsString(inc)) return vso_json_fail_at(r, "expected a string");
    if (!read_include(r, m, path, inc->valuestring)) return false;
  }
  return true;
}

/* Reads the manifest at path, then its includes. */
static bool load(vso_json_reader *r, vso_manifest *m, const char *path) {
  cJSON *root = NULL;
  if (!vso_json_load(r, MANIFEST_MAX_BYTES, MANIFEST_LIMIT_TEXT, NULL, &root)) return false;
  const cJSON *includes = NULL;
  bool ok = cJSON_IsObject(root)
                ? vso_json_get_container(r, root, "includes", VSO_JSON_OPTIONAL, cJSON_Array, &includes)
                : vso_json_fail_at(r, "expected an object");
  m->merge_repos_ = includes && includes->child;
  ok = ok && read_model(r, m, root) && read_includes(r, m, path, includes);
  cJSON_Delete(root);
  if (ok && m->nrepos == 0) {
    vso_json_path_truncate(r, 1);
    ok = vso_json_path_key(r, "repos") && vso_json_fail_at(r, "the manifest must contain at least one repo");
  }
  return ok;
}

bool vso_manifest_load(const char *path, vso_manifest *m, vso_buf *err) {
  memset(m, 0, sizeof *m);
  vso_json_reader r = {.file = path, .err = err};
  bool ok = load(&r, m, path);
  vso_json_reader_free(&r);
  if (!ok) vso_manifest_free(m);
  return ok;
}

void vso_manifest_free(vso_manifest *m) {
  for (size_t i = 0; i < m->nrepos; i++) {
    for (size_t k = 0; k < m->repos[i].n; k++) {
      free(m->repos[i].platforms[k].dockerfile);
      free(m->repos[i].platforms[k].os_version);
      free(m->repos[i].platforms[k].product_version);
    }
    free(m->repos[i].platforms);
    free(m->repos[i].name);
  }
  free(m->repos);
  for (size_t i = 0; i < m->nwarnings; i++) free(m->warnings[i]);
  free(m->warnings);
  for (size_t i = 0; i < m->nvariables; i++) {
    free(m->variables[i]);
    free(m->values[i]);
  }
  free(m->variables);
  free(m->values);
  memset(m, 0, sizeof *m);
}
