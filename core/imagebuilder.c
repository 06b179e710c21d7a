/* SPDX-License-Identifier: MIT */
/* ImageBuilder's matrix rules (imagebuilder.h): which platforms of a
 * manifest its filters keep, how generateBuildMatrix groups them into
 * matrices, names them and orders them.
 *
 * What was read in dotnet/docker-tools and mirrored here; the upstream
 * commits are in docs/imagebuilder.md:
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
 *    are skipped when null or empty.  --repo keeps the repos of exactly that
 *    name (GetRepos: a List.Contains).  --os-version (repeatable) is matched
 *    against the raw osVersion (with any -slim); --path (repeatable) against
 *    the manifest's raw "dockerfile" value (no normalisation, no variable
 *    substitution).  Those two filter as soon as one value is given, even an
 *    empty one (which then only matches an empty field).
 *  - The filters AND together.  (--version / productVersion is not
 *    supported here.)
 *  - With --image-info, a platform whose image-info entry is isUnchanged is
 *    left out before the grouping (GetPlatformsAsync; imageinfo.h).
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
 *    pass '*' for both (dotnet/docker-tools: eng/docker-tools/templates/jobs/
 *    generate-matrix.yml).
 *  - ThenByDescending uses the culture-sensitive Comparer<string>.Default;
 *    culture_like_compare approximates it for ASCII (punctuation < digits <
 *    letters, case ignored, then lower case first); non-ASCII bytes compare
 *    by value.  IgnoreCase and FirstCharToUpper are ASCII-only here.
 *  - FormatMatrixName throws on an empty word after the first (an osVersion
 *    such as "nanoserver-"); here the word is dropped and a warning added.
 *  - buildOsVersion (docker-tools #2138, after the incident) is not read. */
#include "imagebuilder.h"

#include <stdlib.h>
#include <string.h>

#include "imageinfo.h"
#include "json.h"
#include "manifest.h"

/* Names quoted in a warning are cut here. */
enum { QUOTE_MAX = 60 };

static const char *const arch_display_names[] = {"arm32", "arm64", "amd64"};

typedef struct group {
  vso_os os;
  vso_arch arch;
  char *os_version; /* owned: the grouping version, NULL for plain Linux */
  const vso_platform **members;
  size_t n, cap;
} group;

static char *copy_string(const char *s) {
  size_t n = strlen(s);
  char *c = malloc(n + 1);
  if (c) memcpy(c, s, n + 1);
  return c;
}

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }
static char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

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
static int filter_keeps(const vso_manifest_filter *f, const vso_platform *p) {
  if (!f) return 1;
  int m = 1;
  if (m == 1 && f->architecture && *f->architecture)
    m = glob_matches(f->architecture, vso_arch_docker_names[p->arch]);
  if (m == 1 && f->os_type && *f->os_type) m = glob_matches(f->os_type, vso_os_names[p->os]);
  if (m == 1 && f->npaths) m = any_glob_matches(f->paths, f->npaths, p->dockerfile);
  if (m == 1 && f->nos_versions) m = any_glob_matches(f->os_versions, f->nos_versions, p->os_version);
  return m;
}

/* ManifestFilter.GetRepos: IncludeRepos.Contains(repo.Name), ordinal. */
static bool repo_kept(const vso_manifest_filter *f, const char *name) {
  if (!f || !f->nrepos) return true;
  for (size_t i = 0; i < f->nrepos; i++)
    if (f->repos[i] && strcmp(f->repos[i], name) == 0) return true;
  return false;
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
static bool group_os_version(const vso_manifest_filter *f, const vso_platform *p, char **key) {
  char *base = base_os_version(p->os_version);
  *key = NULL;
  if (!base) return false;
  if (is_distinct(f, base)) {
    *key = base;
  } else if (p->os != VSO_OS_LINUX) {
    base = replace_all(base, "nanoserver", "windows");
    base = replace_all(base, "windowsservercore", "windows");
    *key = replace_all(base, "ltsc2019", "1809");
    return *key != NULL;
  } else {
    free(base);
  }
  return true;
}

static bool same_key(const group *g, vso_os os, vso_arch arch, const char *os_version) {
  if (g->os != os || g->arch != arch) return false;
  if (!g->os_version || !os_version) return g->os_version == os_version;
  return strcmp(g->os_version, os_version) == 0;
}

/* Adds p to its group, creating it; takes ownership of key. */
static bool add_to_group(group **groups, size_t *ngroups, size_t *cap, const vso_platform *p, char *key) {
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
  const char *os_part = g->os_version ? g->os_version : vso_os_names[g->os];
  bool ok = append_matrix_name_part(&b, os_part, &first_word, &dropped_empty) &&
            append_matrix_name_part(&b, arch_display_names[g->arch], &first_word, &dropped_empty) &&
            vso_buf_reserve(&b, 0);
  if (ok && dropped_empty) {
    vso_buf w = {0};
    ok = vso_buf_append_str(&w, "matrix ") && vso_json_append_printable(&w, b.data, QUOTE_MAX) &&
         vso_buf_append_str(&w, ": OS version ") && vso_json_append_printable(&w, os_part, QUOTE_MAX) &&
         vso_buf_append_str(&w, " has an empty '-'-separated word, on which ImageBuilder's "
                                "FormatMatrixName throws") &&
         vso_manifest_add_string(&out->warnings, &out->nwarnings, w.data);
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

static bool copy_platform(const vso_platform *p, vso_manifest_platform *out) {
  out->dockerfile = copy_string(p->dockerfile);
  out->os_type = copy_string(vso_os_names[p->os]);
  out->os_version = copy_string(p->os_version);
  out->architecture = copy_string(vso_arch_docker_names[p->arch]);
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

/* Filters, groups, orders and names the platforms of m into out.  False
 * when memory runs out. */
static bool build_matrices(const vso_manifest *m, const vso_manifest_filter *f, vso_manifest_result *out) {
  group *groups = NULL;
  size_t ngroups = 0, cap = 0;
  bool ok = true;
  for (size_t r = 0; ok && r < m->nrepos; r++)
    for (size_t i = 0; ok && repo_kept(f, m->repos[r].name) && i < m->repos[r].n; i++) {
      const vso_platform *p = &m->repos[r].platforms[i];
      int keep = filter_keeps(f, p);
      char *key = NULL;
      if (keep < 0) ok = false;
      if (keep > 0) out->nfiltered++;
      if (keep > 0 && p->unchanged) out->nunchanged++; /* GetPlatformsAsync leaves it out */
      else if (keep > 0) ok = group_os_version(f, p, &key) && add_to_group(&groups, &ngroups, &cap, p, key);
    }
  if (ok && ngroups) {
    qsort(groups, ngroups, sizeof *groups, compare_groups);
    out->matrices = calloc(ngroups, sizeof *out->matrices);
    ok = out->matrices != NULL;
    for (size_t i = 0; ok && i < ngroups; i++) ok = emit_matrix(&groups[i], out);
  }
  free_groups(groups, ngroups);
  return ok;
}

bool vso_manifest_expected(const char *path, const vso_manifest_filter *filter, vso_manifest_result *out,
                           vso_buf *err) {
  memset(out, 0, sizeof *out);
  vso_manifest m;
  if (!vso_manifest_load(path, &m, err)) return false;
  /* the loader's warnings first, then those of naming */
  out->warnings = m.warnings;
  out->nwarnings = m.nwarnings;
  m.warnings = NULL;
  m.nwarnings = 0;
  bool ok = true;
  if (filter && filter->image_info) {
    size_t marked;
    if (!vso_image_info_mark(filter->image_info, &m, filter->vars, filter->nvars, &marked, &out->image_info_doubt))
      ok = out->image_info_doubt != NULL && strstr(out->image_info_doubt, "out of memory") == NULL;
  }
  ok = ok && build_matrices(&m, filter, out);
  vso_manifest_free(&m);
  if (!ok) {
    vso_manifest_result_free(out);
    vso_json_append_printable(err, path, 200);
    vso_buf_append_str(err, ": out of memory");
  }
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
