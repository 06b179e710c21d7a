#include "platform.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>

int vso_kill_group(int pid, int sig) {
  if (pid <= 0) return 0;
  if (kill(-(pid_t)pid, sig) == 0 || errno == ESRCH) return 0;
  return errno;
}
