/* SPDX-License-Identifier: MIT */
/* vsorelay: stands between a build-matrix generator and Azure Pipelines so
 * that an output variable can never again be lost in silence.  main() reads
 * the command line and hands it to one sub-command (commands.h). */
#include <stdio.h>
#include <uv.h>

#include "commands.h"
#include "nameindex.h"
#include "options.h"
#include "outcome.h"
#include "platform.h"
#include "version.h"
#include "writer.h"

static int print_text(const char *text) {
  return fputs(text, stdout) < 0 || fflush(stdout) != 0 ? VSO_EXIT_SELF : VSO_EXIT_OK;
}

int main(int argc, char **argv) {
  /* Descriptors 0-2 open (a closed one gets /dev/null, or a pipe would take
   * its number) and SIGPIPE ignored: a closed stdout must end in EPIPE and
   * exit 125, never in death by SIGPIPE.  The command gets the default
   * disposition back when it is spawned (libuv resets it).  On Windows:
   * binary standard streams (platform_win.c). */
  if (vso_platform_init() != 0) {
    perror("vsorelay: cannot start");
    return VSO_EXIT_SELF;
  }
  unsigned char key[16]; /* the name index's hash key: then no one can craft names that collide */
  int random_rc = uv_random(NULL, NULL, key, sizeof key, 0, NULL);
  if (random_rc == 0) vso_index_seed(key);
  else vso_warn("uv_random: %s: names are hashed with a fixed key", uv_strerror(random_rc));
  vso_options opts;
  vso_buf err = {0};
  int status;
  if (!vso_parse_options(argc, argv, &opts, &err)) {
    vso_warn("%s", err.data ? err.data : "usage error");
    vso_warn("try 'vsorelay --help'");
    status = VSO_EXIT_USAGE;
  } else if (opts.cmd == VSO_CMD_HELP) {
    status = vso_print_usage(stdout) && fflush(stdout) == 0 ? VSO_EXIT_OK : VSO_EXIT_SELF;
  } else if (opts.cmd == VSO_CMD_VERSION) {
    status = print_text("vsorelay " VSO_VERSION "\n");
  } else if (!vso_descriptors_available(1)) {
    /* every sub-command opens a file (an input, a report's temporary file) */
    vso_warn("too few file descriptors: none can be opened (ulimit -n is %ld): raise the limit",
             vso_descriptor_limit());
    status = VSO_EXIT_SELF;
  } else if (opts.cmd == VSO_CMD_REPLAY) {
    status = vso_cmd_replay(&opts);
  } else if (opts.cmd == VSO_CMD_EXPECT) {
    status = vso_cmd_expect(&opts);
  } else {
    status = vso_cmd_run(&opts);
  }
  (void)vso_out_flush(vso_stderr()); /* bytes the agent's encoding check still held (writer.c) */
  vso_options_free(&opts);
  vso_buf_free(&err);
  return status;
}
