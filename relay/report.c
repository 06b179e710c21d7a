/* Placeholder: the JSON report and the Markdown summary. */
#include "report.h"

bool vso_write_report(const char *path, const vso_outcome *o, vso_buf *err) {
  (void)path;
  (void)o;
  vso_buf_append_str(err, "--report is not implemented yet");
  return false;
}

bool vso_write_markdown(const char *path, const vso_outcome *o, vso_buf *err) {
  (void)path;
  (void)o;
  vso_buf_append_str(err, "--summary is not implemented yet");
  return false;
}
