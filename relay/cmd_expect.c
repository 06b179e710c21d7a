/* SPDX-License-Identifier: MIT */
/* vsorelay expect --manifest FILE [filters] [--format text|json] */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int vso_cmd_expect(const vso_options *opts) {
  vso_manifest_filter filter = vso_manifest_filter_of(opts);
  vso_manifest_result m = {0};
  vso_buf err = {0};
  errno = 0;
  if (!vso_manifest_expected(opts->manifest, &filter, &m, &err)) {
    int e = errno; /* descriptors or memory: vsorelay's failure, not the manifest's */
    vso_warn("expect: %s", err.data ? err.data : "cannot read the manifest");
    vso_buf_free(&err);
    vso_manifest_result_free(&m);
    return vso_errno_is_resource(e) ? VSO_EXIT_SELF : VSO_EXIT_USAGE;
  }
  vso_print_manifest_warnings(&m);
  bool ok = true;
  if (opts->format == VSO_FORMAT_JSON) ok = print_json(&m);
  else
    for (size_t i = 0; i < m.n && ok; i++) {
      /* names come from the manifest's words: print them inert, one a line */
      vso_buf name = {0};
      ok = vso_quote(NULL, m.matrices[i].name, strlen(m.matrices[i].name), &name) && printf("%s\n", name.data) >= 0;
      vso_buf_free(&name);
    }
  if (m.n == 0) vso_warn("expect: no platform is left after the filters: no matrix");
  ok = ok && fflush(stdout) == 0;
  if (!ok) perror("vsorelay: expect: stdout");
  vso_manifest_result_free(&m);
  vso_buf_free(&err);
  return ok ? VSO_EXIT_OK : VSO_EXIT_SELF;
}
