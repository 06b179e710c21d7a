/* SPDX-License-Identifier: MIT */
/* ImageBuilder's image-info file, and which manifest platforms it marks
 * unchanged (imageinfo.h).
 *
 * What was read in dotnet/docker-tools (docs/imagebuilder.md, "Image info"):
 *  - the classes of Models/Image: { "repos": [ { "repo", "images": [ { "productVersion",
 *    "platforms": [ { "dockerfile", "simpleTags", "osType", "osVersion",
 *    "architecture", "isUnchanged", ... } ] } ] } ] }, read by Newtonsoft
 *    (members case-insensitive, the last one wins).
 *  - ImageInfoHelper.LoadFromContent: for each image-info repo, the first
 *    manifest repo of that name; each image-info platform is bound to the
 *    first platform of that repo's images, in order, that ArePlatformsEqual:
 *    the same tag state (both with simple tags, or both without), the same
 *    identifier "{Dockerfile}-{Architecture}-{OsType}-{OsVersion}" (the
 *    manifest side: the Dockerfile path relative to the manifest, the
 *    architecture's display name, the OS enum's name, the raw osVersion),
 *    and equivalent product versions (equal, or both versions with the same
 *    major.minor), the manifest's after its variables are substituted.
 *  - GetMatchingPlatformData: a manifest platform's entry is the first one
 *    bound to it in the FIRST image-info repo of its repo's name, image by
 *    image.  GetPlatformsAsync drops a platform whose entry is isUnchanged.
 *
 * Deviations, on purpose:
 *  - The manifest's Dockerfile path is not looked for on disk: an entry
 *    matches the value as given, or the value with "/Dockerfile" appended
 *    (ResolveDockerfilePath appends it when the value names no file).
 *  - Only the fields used here are required; ImageBuilder also requires
 *    digest and commitUrl, and fails on a file without them. */
#include "imageinfo.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A ledger of a big repository is a few MiB. */
#define IMAGE_INFO_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define IMAGE_INFO_LIMIT_TEXT "256 MiB, the limit for an image-info file"

static const char *const os_enum_names[] = {"Linux", "Windows"};
static const char *const arch_display_names[] = {"arm32", "arm64", "amd64"};

static char *copy_string(const char *s) {
  size_t n = strlen(s);
  char *c = malloc(n + 1);
  if (c) memcpy(c, s, n + 1);
  return c;
}

/* ---- reading ------------------------------------------------------------------ */

static bool get_bool(vso_json_reader *r, const cJSON *obj, const char *name, bool *out) {
  const cJSON *v = vso_json_member(obj, name);
  *out = false;
  if (!v || cJSON_IsNull(v)) return true;
  if (!cJSON_IsBool(v)) return vso_json_fail_member(r, name, "expected true or false");
  *out = cJSON_IsTrue(v);
  return true;
}

static bool read_platform(vso_json_reader *r, const cJSON *json, void *ctx) {
  vso_image_info_image *image = ctx;
  if (!cJSON_IsObject(json)) return vso_json_fail_at(r, "expected an object");
  const char *dockerfile, *os_type, *os_version, *architecture;
  const cJSON *tags;
  bool unchanged;
  if (!vso_json_get_string(r, json, "dockerfile", VSO_JSON_REQUIRED, &dockerfile) ||
      !vso_json_get_string(r, json, "osType", VSO_JSON_REQUIRED, &os_type) ||
      !vso_json_get_string(r, json, "osVersion", VSO_JSON_REQUIRED, &os_version) ||
      !vso_json_get_string(r, json, "architecture", VSO_JSON_REQUIRED, &architecture) ||
      !vso_json_get_container(r, json, "simpleTags", VSO_JSON_OPTIONAL, cJSON_Array, &tags) ||
      !get_bool(r, json, "isUnchanged", &unchanged))
    return false;
  if (!vso_grow(&image->platforms, &image->cap, image->n, sizeof *image->platforms)) return vso_json_fail_oom(r);
  vso_image_info_platform *p = &image->platforms[image->n++];
  *p = (vso_image_info_platform){copy_string(dockerfile), copy_string(os_type), copy_string(os_version),
                                 copy_string(architecture), tags && tags->child, unchanged};
  return p->dockerfile && p->os_type && p->os_version && p->architecture ? true : vso_json_fail_oom(r);
}

static bool read_image(vso_json_reader *r, const cJSON *json, void *ctx) {
  vso_image_info_repo *repo = ctx;
  if (!cJSON_IsObject(json)) return vso_json_fail_at(r, "expected an object");
  const char *product_version;
  const cJSON *platforms;
  if (!vso_json_get_string(r, json, "productVersion", VSO_JSON_OPTIONAL, &product_version) ||
      !vso_json_get_container(r, json, "platforms", VSO_JSON_OPTIONAL, cJSON_Array, &platforms))
    return false;
  if (!vso_grow(&repo->images, &repo->cap, repo->n, sizeof *repo->images)) return vso_json_fail_oom(r);
  vso_image_info_image *image = &repo->images[repo->n++];
  *image = (vso_image_info_image){.product_version = product_version ? copy_string(product_version) : NULL};
  if (product_version && !image->product_version) return vso_json_fail_oom(r);
  return !platforms || vso_json_each(r, platforms, "platforms", read_platform, image);
}

static bool read_repo(vso_json_reader *r, const cJSON *json, void *ctx) {
  vso_image_info *ii = ctx;
  if (!cJSON_IsObject(json)) return vso_json_fail_at(r, "expected an object");
  const char *name;
  const cJSON *images;
  if (!vso_json_get_string(r, json, "repo", VSO_JSON_REQUIRED, &name) ||
      !vso_json_get_container(r, json, "images", VSO_JSON_OPTIONAL, cJSON_Array, &images))
    return false;
  if (!vso_grow(&ii->repos, &ii->cap, ii->n, sizeof *ii->repos)) return vso_json_fail_oom(r);
  vso_image_info_repo *repo = &ii->repos[ii->n++];
  *repo = (vso_image_info_repo){.repo = copy_string(name)};
  if (!repo->repo) return vso_json_fail_oom(r);
  return !images || vso_json_each(r, images, "images", read_image, repo);
}

bool vso_image_info_load(const char *path, vso_image_info *out, vso_buf *err) {
  memset(out, 0, sizeof *out);
  vso_json_reader r = {.file = path, .err = err};
  cJSON *root = NULL;
  const cJSON *repos = NULL;
  bool ok = vso_json_load(&r, IMAGE_INFO_MAX_BYTES, IMAGE_INFO_LIMIT_TEXT, NULL, &root) &&
            (cJSON_IsObject(root) ? true : vso_json_fail_at(&r, "expected an object")) &&
            vso_json_get_container(&r, root, "repos", VSO_JSON_OPTIONAL, cJSON_Array, &repos) &&
            (!repos || vso_json_each(&r, repos, "repos", read_repo, out));
  cJSON_Delete(root);
  vso_json_reader_free(&r);
  if (!ok) vso_image_info_free(out);
  return ok;
}

void vso_image_info_free(vso_image_info *ii) {
  for (size_t i = 0; i < ii->n; i++) {
    vso_image_info_repo *repo = &ii->repos[i];
    for (size_t k = 0; k < repo->n; k++) {
      vso_image_info_image *image = &repo->images[k];
      for (size_t j = 0; j < image->n; j++) {
        vso_image_info_platform *p = &image->platforms[j];
        free(p->dockerfile);
        free(p->os_type);
        free(p->os_version);
        free(p->architecture);
      }
      free(image->platforms);
      free(image->product_version);
    }
    free(repo->images);
    free(repo->repo);
  }
  free(ii->repos);
  memset(ii, 0, sizeof *ii);
}

/* ---- product versions ------------------------------------------------------------- */

/* The value of variable name[0..n): --var first, then the manifest's; NULL
 * when there is none. */
static const char *variable(const vso_manifest *m, const char *const *vars, size_t nvars, const char *name, size_t n) {
  for (size_t i = 0; i < nvars; i++)
    if (strncmp(vars[i], name, n) == 0 && vars[i][n] == '=') return vars[i] + n + 1;
  for (size_t i = 0; i < m->nvariables; i++)
    if (strlen(m->variables[i]) == n && memcmp(m->variables[i], name, n) == 0) return m->values[i];
  return NULL;
}

/* A character of VariableHelper's variable names: [\w:\-.| ] (any byte of
 * a multi-byte character counts as a word character). */
static bool name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
         strchr("_:-.| ", c) != NULL;
}

/* expr with every $(name) replaced by its value (VariableHelper.SubstituteValues);
 * false when one cannot be resolved here (a built-in "type:name" variable, an
 * unknown or null one, or values that refer to each other too deeply). */
static bool substitute(const vso_manifest *m, const char *const *vars, size_t nvars, const char *expr, vso_buf *out,
                       int depth) {
  for (const char *p = expr; *p;) {
    const char *open = strstr(p, "$(");
    const char *close = open ? open + 2 : NULL;
    while (close && *close && name_char((unsigned char)*close)) close++;
    if (!open || !close || *close != ')' || close == open + 2) {
      if (!open) return vso_buf_append_str(out, p);
      if (!vso_buf_append(out, p, (size_t)(open - p) + 2)) return false;
      p = open + 2;
      continue;
    }
    size_t n = (size_t)(close - open - 2);
    const char *value = memchr(open + 2, ':', n) ? NULL : variable(m, vars, nvars, open + 2, n);
    if (!value || depth > 8 || !vso_buf_append(out, p, (size_t)(open - p)) ||
        !substitute(m, vars, nvars, value, out, depth + 1))
      return false;
    p = close + 1;
  }
  return vso_buf_append(out, "", 0);
}

/* .NET's Version.TryParse, major and minor: 2 to 4 components of digits. */
static bool parse_version(const char *s, long *major, long *minor) {
  long parts[4];
  int count = 0;
  for (const char *p = s;; p++) {
    if (count == 4 || *p < '0' || *p > '9') return false;
    char *end;
    parts[count++] = strtol(p, &end, 10);
    if (parts[count - 1] > 2147483647L) return false;
    p = end;
    if (*p == '\0') break;
    if (*p != '.') return false;
  }
  if (count < 2) return false;
  *major = parts[0];
  *minor = parts[1];
  return true;
}

/* ImageInfoHelper.AreProductVersionsEquivalent. */
static bool same_product_version(const char *a, const char *b) {
  if (!a || !b) return a == b;
  if (strcmp(a, b) == 0) return true;
  long ma, na, mb, nb;
  return parse_version(a, &ma, &na) && parse_version(b, &mb, &nb) && ma == mb && na == nb;
}

/* ---- matching ------------------------------------------------------------------------ */

/* a[0..n), with every '\' read as '/', is the beginning of b. */
static bool path_begins(const char *a, size_t n, const char *b) {
  for (size_t i = 0; i < n; i++)
    if (b[i] == '\0' || (a[i] == '\\' ? '/' : a[i]) != b[i]) return false;
  return true;
}

/* The manifest's Dockerfile value against the entry's path (see the top). */
static bool same_dockerfile(const char *manifest_value, const char *entry) {
  size_t n = strlen(manifest_value), en = strlen(entry);
  if (en == n && path_begins(manifest_value, n, entry)) return true;
  while (n && (manifest_value[n - 1] == '/' || manifest_value[n - 1] == '\\')) n--;
  return en == n + 11 && path_begins(manifest_value, n, entry) && strcmp(entry + n, "/Dockerfile") == 0;
}

/* ArePlatformsEqual, with the manifest image's product version already
 * substituted (pv). */
static bool platforms_equal(const vso_image_info_platform *e, const char *entry_pv, const vso_platform *p,
                            const char *pv) {
  return e->has_tags == p->has_tags && strcmp(e->os_type, os_enum_names[p->os]) == 0 &&
         strcmp(e->architecture, arch_display_names[p->arch]) == 0 && strcmp(e->os_version, p->os_version) == 0 &&
         same_dockerfile(p->dockerfile, e->dockerfile) && same_product_version(entry_pv, pv);
}

typedef struct matcher {
  const vso_manifest *m;
  const char *const *vars;
  size_t nvars;
  char **pv;          /* per manifest image: its product version, substituted (or raw when unknown) */
  bool *pv_done;
  bool uncertain;     /* a product version could not be substituted */
} matcher;

/* The product version of image k, substituted once. */
static const char *image_pv(matcher *mt, const vso_platform *p) {
  if (!p->product_version || mt->pv_done[p->image]) return mt->pv[p->image];
  mt->pv_done[p->image] = true;
  vso_buf b = {0};
  if (substitute(mt->m, mt->vars, mt->nvars, p->product_version, &b, 0)) {
    mt->pv[p->image] = vso_buf_steal(&b, NULL);
  } else {
    mt->uncertain = true;
    mt->pv[p->image] = copy_string(p->product_version);
  }
  vso_buf_free(&b);
  return mt->pv[p->image];
}

/* The first platform of repo that the entry is bound to, or NULL. */
static vso_platform *bound_to(matcher *mt, vso_repo *repo, const vso_image_info_platform *e, const char *entry_pv) {
  for (size_t i = 0; i < repo->n; i++)
    if (platforms_equal(e, entry_pv, &repo->platforms[i], image_pv(mt, &repo->platforms[i])))
      return &repo->platforms[i];
  return NULL;
}

/* The entries of one image-info repo, bound to the platforms of repo: the
 * first bound to a platform says whether it is unchanged. */
static void mark_repo(matcher *mt, const vso_image_info_repo *ir, vso_repo *repo, bool *decided, size_t first,
                      size_t *marked) {
  for (size_t k = 0; k < ir->n; k++)
    for (size_t j = 0; j < ir->images[k].n; j++) {
      const vso_image_info_platform *e = &ir->images[k].platforms[j];
      vso_platform *p = bound_to(mt, repo, e, ir->images[k].product_version);
      if (!p || decided[first + (size_t)(p - repo->platforms)]) continue;
      decided[first + (size_t)(p - repo->platforms)] = true;
      p->unchanged = e->unchanged;
      *marked += e->unchanged;
    }
}

static vso_repo *manifest_repo(vso_manifest *m, const char *name, size_t *first) {
  *first = 0;
  for (size_t i = 0; i < m->nrepos; i++) {
    if (strcmp(m->repos[i].name, name) == 0) return &m->repos[i];
    *first += m->repos[i].n;
  }
  return NULL;
}

/* Whether an earlier image-info repo has the name of repo i. */
static bool repeated(const vso_image_info *ii, size_t i) {
  for (size_t k = 0; k < i; k++)
    if (strcmp(ii->repos[k].repo, ii->repos[i].repo) == 0) return true;
  return false;
}

bool vso_image_info_mark(const vso_image_info *ii, vso_manifest *m, const char *const *vars, size_t nvars,
                         size_t *marked, const char **why) {
  size_t total = 0;
  for (size_t i = 0; i < m->nrepos; i++) total += m->repos[i].n;
  matcher mt = {m, vars, nvars, calloc(m->nimages + 1, sizeof *mt.pv), calloc(m->nimages + 1, sizeof *mt.pv_done),
                false};
  bool *decided = calloc(total + 1, sizeof *decided);
  *marked = 0;
  *why = NULL;
  bool ok = mt.pv && mt.pv_done && decided;
  for (size_t i = 0; ok && i < ii->n; i++) {
    size_t first;
    vso_repo *repo = repeated(ii, i) ? NULL : manifest_repo(m, ii->repos[i].repo, &first);
    if (repo) mark_repo(&mt, &ii->repos[i], repo, decided, first, marked);
  }
  if (!ok) *why = "out of memory while matching the image-info file";
  else if (mt.uncertain)
    *why = "a product version in the manifest holds a variable vsorelay cannot resolve, so which image-info "
           "entries match is a guess";
  for (size_t i = 0; mt.pv && i < m->nimages; i++) free(mt.pv[i]);
  free(mt.pv);
  free(mt.pv_done);
  free(decided);
  return ok && !mt.uncertain;
}
