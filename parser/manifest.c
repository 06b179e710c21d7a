/* Placeholder: replaced by the real implementation. */
#include "manifest.h"

#include <string.h>

bool vso_manifest_expected(const char *path, const vso_manifest_filter *filter,
                           vso_manifest_result *out, vso_buf *err) {
  (void)path;
  (void)filter;
  memset(out, 0, sizeof *out);
  vso_buf_append_str(err, "manifest reading is not implemented yet");
  return false;
}

void vso_manifest_result_free(vso_manifest_result *r) { memset(r, 0, sizeof *r); }
