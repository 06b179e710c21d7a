/* SPDX-License-Identifier: MIT */
/* vsorelay: stands between a build-matrix generator and Azure Pipelines so
 * that an output variable can never again be lost in silence. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "platform.h"
#include "version.h"
#include "writer.h"

int main(int argc, char **argv) {
  if (vso_open_missing_std_fds() != 0) return 125; /* no stderr to say why on */
  /* A closed stdout must end in EPIPE and exit 125, never in death by SIGPIPE.
   * The child gets SIG_DFL back: libuv resets dispositions before exec. */
  if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
    perror("vsorelay: signal(SIGPIPE)");
    return 125;
  }
  vso_options opts;
  vso_buf err = {0};
  if (!vso_parse_options(argc, argv, &opts, &err)) {
    vso_warn("%s", err.data ? err.data : "usage error");
    vso_warn("try 'vsorelay --help'");
    vso_buf_free(&err);
    vso_options_free(&opts);
    return 2;
  }
  int status;
  switch (opts.cmd) {
    case VSO_CMD_HELP:
      status = fputs(vso_usage, stdout) < 0 || fflush(stdout) != 0 ? 125 : 0;
      break;
    case VSO_CMD_VERSION:
      status = printf("vsorelay %s\n", VSO_VERSION) < 0 || fflush(stdout) != 0 ? 125 : 0;
      break;
    case VSO_CMD_REPLAY: status = vso_cmd_replay(&opts); break;
    case VSO_CMD_EXPECT: status = vso_cmd_expect(&opts); break;
    case VSO_CMD_RUN:
    default: status = vso_cmd_run(&opts); break;
  }
  vso_options_free(&opts);
  vso_buf_free(&err);
  return status;
}
