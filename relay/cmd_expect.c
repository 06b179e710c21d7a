/* SPDX-License-Identifier: MIT */
/* vsorelay expect --manifest FILE [filters] [--image-info FILE] [--trim-cached-images]
 *                 [--allow-empty] [--format text|json]
 * Exit 2 when no platform is left after the filters (unless --allow-empty). */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "imageinfo.h"
#include "outcome.h"
#include "files.h"
#include "platform.h"
#include "sources.h"
#include "text.h"
#include "writer.h"

static void print_platform_json(vso_buf *out, const vso_manifest_platform *p) {
  vso_buf_append_str(out, "{\"dockerfile\":");
  vso_json_string(out, p->dockerfile, strlen(p->dockerfile));
  vso_buf_append_str(out, ",\"osType\":");
  vso_json_string(out, p->os_type, strlen(p->os_type));
  vso_buf_append_str(out, ",\"osVersion\":");
  vso_json_string(out, p->os_version, strlen(p->os_version));
  vso_buf_append_str(out, ",\"architecture\":");
  vso_json_string(out, p->architecture, strlen(p->architecture));
  vso_buf_append_char(out, '}');
}

/* JSON Lines: one object per matrix, in emission order. */
static bool print_json(const vso_manifest_result *m) {
  for (size_t i = 0; i < m->n; i++) {
    vso_buf out = {0};
    vso_buf_append_str(&out, "{\"name\":");
    vso_json_string(&out, m->matrices[i].name, strlen(m->matrices[i].name));
    vso_buf_append_str(&out, ",\"platforms\":[");
    for (size_t k = 0; k < m->matrices[i].nplatforms; k++) {
      if (k) vso_buf_append_char(&out, ',');
      print_platform_json(&out, &m->matrices[i].platforms[k]);
    }
    vso_buf_append_str(&out, "]}\n");
    bool ok = out.data && fwrite(out.data, 1, out.len, stdout) == out.len;
    vso_buf_free(&out);
    if (!ok) return false;
  }
  return true;
}

/* The matrices of the manifest, filtered, less what --image-info marks
 * unchanged.  Returns 0, or, said, the exit status when a file cannot be
 * read: 2, or 125 when descriptors or memory ran out. */
static int matrices_of(const vso_options *opts, vso_manifest_result *m) {
  vso_manifest_filter filter = vso_manifest_filter_of(opts);
  vso_image_info info = {0};
  vso_buf err = {0};
  errno = 0;
  bool ok = !opts->image_info || vso_image_info_load(opts->image_info, &info, &err);
  filter.image_info = opts->image_info ? &info : NULL;
  ok = ok && vso_manifest_expected(opts->manifest, &filter, m, &err);
  int e = errno; /* descriptors or memory: vsorelay's failure, not the manifest's */
  if (!ok) vso_warn("expect: %s", err.data ? err.data : "cannot read the manifest");
  vso_image_info_free(&info);
  vso_buf_free(&err);
  return ok ? 0 : vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
}

/* What the names are, when they are not exactly what ImageBuilder emits,
 * and when there are none.  False when no platform is left after the
 * filters (and --allow-empty was not given): nothing would be expected. */
static bool say_what_they_are(const vso_options *opts, const vso_manifest_result *m) {
  if (opts->trim_cached_images)
    vso_warn("expect: --trim-cached-images: an upper bound; ImageBuilder also leaves out the platforms whose "
             "images are cached in the registry, which vsorelay cannot see");
  else if (m->image_info_doubt)
    vso_warn("expect: an upper bound: %s", m->image_info_doubt);
  if (m->nfiltered == 0) {
    vso_buf f = {0};
    vso_manifest_filter filter = vso_manifest_filter_of(opts);
    vso_describe_filters(&f, &filter, opts->image_info, opts->trim_cached_images);
    vso_warn("expect: --manifest %s%s: no platform is left after the filters: no matrix%s", opts->manifest,
             f.data ? f.data : "", opts->allow_empty ? "" : " (pass --allow-empty if that is expected)");
    vso_buf_free(&f);
    return opts->allow_empty;
  }
  if (m->n == 0) vso_warn("expect: every platform left is unchanged in the image-info: no matrix");
  return true;
}

int vso_cmd_expect(const vso_options *opts) {
  vso_manifest_result m = {0};
  int status = matrices_of(opts, &m);
  if (status) {
    vso_manifest_result_free(&m);
    return status;
  }
  vso_print_manifest_warnings(&m);
  if (!say_what_they_are(opts, &m)) {
    vso_manifest_result_free(&m);
    return VSO_EXIT_USAGE;
  }
  bool ok = true;
  if (opts->format == VSO_FORMAT_JSON) ok = print_json(&m);
  else
    for (size_t i = 0; i < m.n && ok; i++) {
      /* names come from the manifest's words: print them inert, one a line */
      vso_buf name = {0};
      ok = vso_quote(NULL, m.matrices[i].name, strlen(m.matrices[i].name), &name) && printf("%s\n", name.data) >= 0;
      vso_buf_free(&name);
    }
  ok = ok && fflush(stdout) == 0;
  if (!ok) perror("vsorelay: expect: stdout");
  vso_manifest_result_free(&m);
  return ok ? VSO_EXIT_OK : VSO_EXIT_SELF;
}
