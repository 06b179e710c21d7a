/* Placeholder: replaced by the real implementation. */
#include "matrix.h"

#include <string.h>

bool vso_matrix_parse(const char *value, size_t n, vso_matrix *out, vso_buf *why) {
  (void)value;
  (void)n;
  memset(out, 0, sizeof *out);
  vso_buf_append_str(why, "matrix validation is not implemented yet");
  return false;
}

void vso_matrix_free(vso_matrix *m) { memset(m, 0, sizeof *m); }
