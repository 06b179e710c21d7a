/* SPDX-License-Identifier: MIT */
#include "options.h"

#include "dialect.h"
#include "writer.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage:\n"
    "  vsorelay run [options] -- COMMAND [ARG...]\n"
    "  vsorelay [options] -- COMMAND [ARG...]       (short form of run, for a step prefix)\n"
    "  vsorelay replay [options] [FILE...]          (no FILE, or -, reads stdin)\n"
    "  vsorelay expect --manifest FILE [filters] [--image-info FILE] [--trim-cached-images]\n"
    "                  [--allow-empty] [--format text|json]\n"
    "  vsorelay --help | --version\n"
    "\n"
    "Relays a command's output to Azure Pipelines, reads every logging command as the\n"
    "agent does, holds back task.setvariable commands, checks that every expected\n"
    "output variable arrived with a usable value, then re-emits them, or fails the step.\n"
    "\n"
    "Expectations (run, replay):\n"
    "  -e, --expect NAME[,NAME...]   an output variable that must be set (repeatable)\n"
    "  --expect-file FILE            one name a line, '#' starts a comment\n"
    "  --manifest FILE               expect the matrices generateBuildMatrix emits for\n"
    "                                this ImageBuilder manifest (and check their values)\n"
    "  --os-type T, --architecture A, --os-version V (repeatable), --path P (repeatable),\n"
    "  --distinct-matrix-os-version V (repeatable)   ImageBuilder's manifest filters\n"
    "  --image-info FILE             leave out the platforms this image-info marks unchanged\n"
    "  --trim-cached-images          ImageBuilder trims cached platforms: the manifest's\n"
    "                                names are an upper bound, the announcement must arrive\n"
    "  --matrix                      every expected value must be a build matrix\n"
    "  --allow-empty                 a source that names no variable is not an error\n"
    "  --no-announced                do not read the generator's announcement (ImageBuilder's\n"
    "                                listing of its matrices), which is otherwise required\n"
    "  --no-imagebuilder-args        do not read ImageBuilder's generateBuildMatrix options\n"
    "                                from the command line (replay: as a capture recorded them)\n"
    "  --no-decode-percents          do not decode %AZP25, as the agent with DECODE_PERCENTS=false\n"
    "                                (also taken from DECODE_PERCENTS in the environment;\n"
    "                                SYSTEM_UNSAFEALLOWMULTILINESECRET=true allows multi-line secrets)\n"
    "\n"
    "Outputs (run, replay):\n"
    "  --report FILE                 a JSON report (schema in docs/reference.md)\n"
    "  --summary FILE                a Markdown summary (run also uploads it to the run page)\n"
    "  --format text|json            replay and expect: a readable listing or JSON Lines\n"
    "\n"
    "Run:\n"
    "  --retries N                   run again, up to N more times, while expectations fail\n"
    "  --stream                      let task.setvariable through live as well (the agent\n"
    "                                then sees a partial set before the verdict)\n"
    "  --drain-timeout D             wait for the pipes after the child exits (default 5s)\n"
    "  --timeout D                   SIGTERM the command's group at the deadline\n"
    "  --kill-after D                SIGKILL this long after a SIGTERM (default 5s)\n"
    "  --capture FILE                record both streams for 'vsorelay replay' (mode 0600)\n"
    "  --verbose                     show a held command's whole line, neutralised, instead of\n"
    "                                its short live copy (as with the agent's SYSTEM_DEBUG)\n"
    "  --restrict                    only the commands the agent allows in restricted mode\n"
    "  --allow-variables GLOB[,...]  only these variables may be set (repeatable)\n"
    "  Durations are seconds, fractions allowed, with an optional suffix ms, s, m, h or d\n"
    "  (as coreutils' timeout: 1h, 2.5m, 250ms, 1d).\n"
    "\n"
    "Exit status:\n"
    "  0        the command succeeded and every expected variable was re-emitted\n"
    "  1-255    the command's own status when it failed\n"
    "  128+N    the command died of signal N, or vsorelay was stopped by signal N\n"
    "  2        usage error, a file that cannot be read, a source of expected names\n"
    "           that names none, or a --report, --summary or --capture destination\n"
    "           that cannot be written (before the command runs)\n"
    "  3        expectations not met: nothing re-emitted, the step is failed\n"
    "  124      --timeout expired\n"
    "  125      vsorelay itself failed (e.g. its stdout was closed)\n"
    "  126      the command is not executable\n"
    "  127      the command was not found\n";

enum {
  OPT_EXPECT_FILE = 256,
  OPT_MANIFEST,
  OPT_OS_TYPE,
  OPT_ARCH,
  OPT_OS_VERSION,
  OPT_PATH,
  OPT_DISTINCT,
  OPT_MATRIX,
  OPT_IMAGE_INFO,
  OPT_TRIM,
  OPT_ALLOW_EMPTY,
  OPT_NO_ANNOUNCED,
  OPT_NO_IB_ARGS,
  OPT_NO_DECODE,
  OPT_REPORT,
  OPT_SUMMARY,
  OPT_FORMAT,
  OPT_CAPTURE,
  OPT_RETRIES,
  OPT_STREAM,
  OPT_DRAIN,
  OPT_TIMEOUT,
  OPT_KILL_AFTER,
  OPT_RESTRICT,
  OPT_ALLOW,
  OPT_VERBOSE,
  OPT_HELP,
  OPT_VERSION,
  OPT_CODES = 512, /* every code is below this */
};

static const struct option long_options[] = {
    {"expect", required_argument, NULL, 'e'},
    {"expect-file", required_argument, NULL, OPT_EXPECT_FILE},
    {"manifest", required_argument, NULL, OPT_MANIFEST},
    {"os-type", required_argument, NULL, OPT_OS_TYPE},
    {"architecture", required_argument, NULL, OPT_ARCH},
    {"os-version", required_argument, NULL, OPT_OS_VERSION},
    {"path", required_argument, NULL, OPT_PATH},
    {"distinct-matrix-os-version", required_argument, NULL, OPT_DISTINCT},
    {"matrix", no_argument, NULL, OPT_MATRIX},
    {"image-info", required_argument, NULL, OPT_IMAGE_INFO},
    {"trim-cached-images", no_argument, NULL, OPT_TRIM},
    {"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
    {"no-announced", no_argument, NULL, OPT_NO_ANNOUNCED},
    {"no-imagebuilder-args", no_argument, NULL, OPT_NO_IB_ARGS},
    {"no-decode-percents", no_argument, NULL, OPT_NO_DECODE},
    {"report", required_argument, NULL, OPT_REPORT},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"capture", required_argument, NULL, OPT_CAPTURE},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"stream", no_argument, NULL, OPT_STREAM},
    {"drain-timeout", required_argument, NULL, OPT_DRAIN},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"kill-after", required_argument, NULL, OPT_KILL_AFTER},
    {"restrict", no_argument, NULL, OPT_RESTRICT},
    {"allow-variables", required_argument, NULL, OPT_ALLOW},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Which options each sub-command takes. */
static bool option_allowed(vso_cmd cmd, int opt) {
  switch (opt) {
    case OPT_HELP:
    case OPT_VERSION:
      return true;
    case OPT_MANIFEST:
    case OPT_OS_TYPE:
    case OPT_ARCH:
    case OPT_OS_VERSION:
    case OPT_PATH:
    case OPT_DISTINCT:
    case OPT_IMAGE_INFO:
    case OPT_TRIM:
    case OPT_ALLOW_EMPTY:
      return true;
    case OPT_FORMAT:
      return cmd == VSO_CMD_REPLAY || cmd == VSO_CMD_EXPECT;
    case OPT_CAPTURE:
    case OPT_RETRIES:
    case OPT_STREAM:
    case OPT_DRAIN:
    case OPT_TIMEOUT:
    case OPT_KILL_AFTER:
    case OPT_VERBOSE:
      return cmd == VSO_CMD_RUN;
    default:
      return cmd == VSO_CMD_RUN || cmd == VSO_CMD_REPLAY;
  }
}

double vso_parse_duration(const char *s) {
  static const struct {
    const char *suffix;
    double seconds;
  } units[] = {{"", 1}, {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  if (!s || !*s || *s == ' ' || *s == '\t') return -1;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  /* as coreutils' timeout: a value too large is the largest, "inf" is
   * forever; the timers cap it (child.c) */
  if (end == s || isnan(v) || v < 0) return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(end, units[i].suffix) == 0) return v * units[i].seconds;
  return -1;
}

static bool list_add(vso_strlist *l, const char *s) {
  char **grown = realloc(l->items, (l->n + 1) * sizeof *grown);
  if (!grown) return false;
  l->items = grown;
  l->items[l->n] = strdup(s);
  return l->items[l->n++] != NULL;
}

static void list_free(vso_strlist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->items[i]);
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

static bool fail(vso_buf *err, const char *a, const char *b, const char *c) {
  vso_buf_append_str(err, a);
  if (b) vso_buf_append_str(err, b);
  if (c) vso_buf_append_str(err, c);
  return false;
}

static bool set_duration(double *dst, const char *opt, const char *arg, vso_buf *err) {
  double v = vso_parse_duration(arg);
  if (v < 0) return fail(err, opt, ": not a duration: ", arg);
  *dst = v;
  return true;
}

static bool apply_option(vso_options *o, int c, const char *arg, vso_buf *err) {
  bool ok = true;
  switch (c) {
    case 'e': ok = list_add(&o->expect_lists, arg); break;
    case OPT_EXPECT_FILE: ok = list_add(&o->expect_files, arg); break;
    case OPT_MANIFEST: o->manifest = arg; break;
    case OPT_OS_TYPE: o->os_type = arg; break;
    case OPT_ARCH: o->architecture = arg; break;
    case OPT_OS_VERSION: ok = list_add(&o->os_versions, arg); break;
    case OPT_IMAGE_INFO: o->image_info = arg; break;
    case OPT_TRIM: o->trim_cached_images = true; break;
    case OPT_ALLOW_EMPTY: o->allow_empty = true; break;
    case OPT_NO_ANNOUNCED: o->no_announced = true; break;
    case OPT_NO_IB_ARGS: o->no_imagebuilder_args = true; break;
    case OPT_PATH: ok = list_add(&o->paths, arg); break;
    case OPT_DISTINCT: ok = list_add(&o->distinct_os_versions, arg); break;
    case OPT_MATRIX: o->matrix = true; break;
    case OPT_NO_DECODE: o->knobs.decode_percents = false; break;
    case OPT_REPORT: o->report = arg; break;
    case OPT_SUMMARY: o->summary = arg; break;
    case OPT_CAPTURE: o->capture = arg; break;
    case OPT_STREAM: o->stream = true; break;
    case OPT_VERBOSE: o->verbose = true; break;
    case OPT_RESTRICT: o->restrict_commands = true; break;
    case OPT_ALLOW: ok = list_add(&o->allow_variables, arg); break;
    case OPT_HELP: o->cmd = VSO_CMD_HELP; break;
    case OPT_VERSION: o->cmd = VSO_CMD_VERSION; break;
    case OPT_FORMAT:
      if (strcmp(arg, "text") == 0) o->format = VSO_FORMAT_TEXT;
      else if (strcmp(arg, "json") == 0) o->format = VSO_FORMAT_JSON;
      else return fail(err, "--format: expected 'text' or 'json', not '", arg, "'");
      break;
    case OPT_RETRIES: {
      char *end;
      errno = 0;
      long v = strtol(arg, &end, 10);
      if (errno || *end || end == arg || v < 0 || v > 100)
        return fail(err, "--retries: expected a whole number from 0 to 100, not '", arg, "'");
      o->retries = (int)v;
      break;
    }
    case OPT_DRAIN: return set_duration(&o->drain_timeout, "--drain-timeout", arg, err);
    case OPT_TIMEOUT: return set_duration(&o->timeout, "--timeout", arg, err);
    case OPT_KILL_AFTER: return set_duration(&o->kill_after, "--kill-after", arg, err);
    default: return fail(err, "internal error: unhandled option", NULL, NULL);
  }
  return ok || fail(err, "out of memory", NULL, NULL);
}

static const char *command_name(vso_cmd cmd) {
  return cmd == VSO_CMD_RUN ? "run" : cmd == VSO_CMD_REPLAY ? "replay" : "expect";
}

static bool parse_flags(int argc, char **argv, vso_options *o, bool seen[OPT_CODES], vso_buf *err) {
  /* '+': stop at the first operand, so the command's own flags stay its own */
  static const char short_options[] = "+:e:h";
  opterr = 0;
  optind = 1;
  int c, at = -1;
  while ((c = getopt_long(argc, argv, short_options, long_options, &at)) != -1) {
    /* the option by its own name ("--capture", "-e"), never by its value, which
     * argv[optind - 1] is when the value was a word of its own */
    char name[40];
    if (at >= 0) snprintf(name, sizeof name, "--%s", long_options[at].name);
    else snprintf(name, sizeof name, "-%c", c == OPT_HELP ? 'h' : c);
    at = -1;
    if (c == 'h') c = OPT_HELP;
    if (c == '?') {
      if (optopt) {
        char s[3] = {'-', (char)optopt, '\0'};
        return fail(err, "unknown option '", s, "'");
      }
      return fail(err, "unknown option '", argv[optind - 1], "'");
    }
    if (c == ':') return fail(err, "option '", argv[optind - 1], "' needs a value");
    if (!option_allowed(o->cmd, c))
      return fail(err, "option '", name, o->cmd == VSO_CMD_EXPECT ? "' does not apply to expect"
                                                        : o->cmd == VSO_CMD_RUN ? "' does not apply to run"
                                                                                : "' does not apply to replay");
    if (!apply_option(o, c, optarg, err)) return false;
    if (c >= 0 && c < OPT_CODES) seen[c] = true;
  }
  o->operands = argv + optind;
  o->noperands = argc - optind;
  return true;
}

static bool check_operands(vso_options *o, vso_buf *err) {
  if (o->cmd == VSO_CMD_RUN && o->noperands == 0)
    return fail(err, "run: no command given (vsorelay run [options] -- COMMAND [ARG...])", NULL, NULL);
  if (o->cmd == VSO_CMD_EXPECT && o->noperands > 0)
    return fail(err, "expect: unexpected argument '", o->operands[0], "'");
  if (o->cmd == VSO_CMD_EXPECT && !o->manifest) return fail(err, "expect: --manifest FILE is required", NULL, NULL);
  if (o->cmd != VSO_CMD_RUN && o->cmd != VSO_CMD_REPLAY) return true;
  bool filters = o->os_type || o->architecture || o->os_versions.n || o->paths.n || o->distinct_os_versions.n ||
                 o->image_info || o->trim_cached_images;
  if (filters && !o->manifest)
    return fail(err, command_name(o->cmd),
                ": manifest filters (--os-type, --path, --image-info, --trim-cached-images, ...) need --manifest", NULL);
  return true;
}

/* ---- the environment ----------------------------------------------------------- */

/* Every option a pipeline would set has a variable, derived from its row in
 * long_options: --drain-timeout is VSORELAY_DRAIN_TIMEOUT.  Azure Pipelines
 * gives a step its pipeline variables so (name upper-cased, '.' as '_'),
 * so a team configures vsorelay without editing a template.
 *   - The command line wins: an option it gives is not read from its
 *     variable (a repeatable one neither: its occurrences replace the
 *     variable's).
 *   - A variable is one occurrence of its option: VSORELAY_EXPECT=a,b is
 *     --expect a,b; VSORELAY_ALLOW_VARIABLES one restriction set.
 *   - A switch takes the agent's Booleans (StringUtil.ConvertToBoolean):
 *     1, true or $true; 0, false or $false; any case.  Anything else is a
 *     usage error naming the variable.
 *   - Empty is unset, as an undefined pipeline variable is.
 *   - The variable of an option the sub-command does not take is ignored, not
 *     refused: a pipeline variable reaches every step of its scope, and
 *     VSORELAY_RETRIES for the run step must not break a replay step.
 *   - A VSORELAY_ variable that names no option is said on stderr (a typo
 *     would otherwise be silent) and ignored. */

void vso_option_variable(const char *long_name, char *out, size_t size) {
  size_t n = (size_t)snprintf(out, size, "VSORELAY_%s", long_name);
  for (size_t i = 0; i < n && i < size; i++)
    out[i] = out[i] == '-' ? '_' : (out[i] >= 'a' && out[i] <= 'z') ? (char)(out[i] - 32) : out[i];
}

static bool set_by_agent(const char *v, bool *value) {
  static const char *const truths[] = {"1", "true", "$true"}, *const lies[] = {"0", "false", "$false"};
  for (int i = 0; i < 3; i++) {
    if (vso_ieq(v, strlen(v), truths[i], strlen(truths[i]))) return *value = true, true;
    if (vso_ieq(v, strlen(v), lies[i], strlen(lies[i]))) return *value = false, true;
  }
  return false;
}

static bool is_pipeline_option(int code) { return code != OPT_HELP && code != OPT_VERSION; }

/* One option from its variable, when set. */
static bool apply_variable(vso_options *o, const struct option *row, vso_buf *err) {
  char name[96];
  vso_option_variable(row->name, name, sizeof name);
  const char *v = getenv(name);
  if (!v || !*v) return true;
  if (row->has_arg == no_argument) {
    bool on;
    if (!set_by_agent(v, &on)) {
      vso_buf_appendf(err, "%s: expected true or false (or 1, 0, $true, $false), not '%s'", name, v);
      return false;
    }
    return !on || (apply_option(o, row->val, NULL, err) &&
                   (list_add(&o->from_environment, row->name) || fail(err, "out of memory", NULL, NULL)));
  }
  vso_buf why = {0};
  bool ok = apply_option(o, row->val, v, &why) && (list_add(&o->from_environment, row->name) ||
                                                   fail(&why, "out of memory", NULL, NULL));
  if (!ok) vso_buf_appendf(err, "%s: %s", name, why.data ? why.data : "not a valid value");
  vso_buf_free(&why);
  return ok;
}

const char *vso_option_said(const vso_options *o, const char *long_name, char *out, size_t size) {
  for (size_t i = 0; i < o->from_environment.n; i++)
    if (strcmp(o->from_environment.items[i], long_name) == 0) {
      vso_option_variable(long_name, out, size);
      return out;
    }
  snprintf(out, size, "--%s", long_name);
  return out;
}

/* A VSORELAY_ variable that names no option: said, and ignored. */
static void warn_unknown_variables(void) {
  extern char **environ;
  static const char prefix[] = "VSORELAY_";
  for (char **e = environ; e && *e; e++) {
    if (strncmp(*e, prefix, sizeof prefix - 1) != 0) continue;
    size_t len = strcspn(*e, "=");
    bool known = false;
    for (const struct option *row = long_options; row->name && !known; row++) {
      char name[96];
      vso_option_variable(row->name, name, sizeof name);
      known = is_pipeline_option(row->val) && strlen(name) == len && strncmp(name, *e, len) == 0;
    }
    if (!known) /* vso_warn: a name may hold anything but '=' */
      vso_warn("%.*s names no option of vsorelay: ignored (see vsorelay --help)", (int)(len > 200 ? 200 : len), *e);
  }
}

static bool apply_variables(vso_options *o, const bool seen[OPT_CODES], vso_buf *err) {
  warn_unknown_variables();
  for (const struct option *row = long_options; row->name; row++) {
    if (!is_pipeline_option(row->val) || seen[row->val] || !option_allowed(o->cmd, row->val)) continue;
    if (!apply_variable(o, row, err)) return false;
  }
  return true;
}

bool vso_print_usage(FILE *f) {
  if (fputs(usage, f) < 0) return false;
  fputs("\nEnvironment:\n"
        "  Every option but --help and --version can be set by a variable, e.g. in a\n"
        "  pipeline's variables (the command line wins; empty is unset; a switch takes\n"
        "  true or false, 1 or 0; an option a sub-command does not take is ignored):\n",
        f);
  size_t column = 0;
  for (const struct option *row = long_options; row->name; row++) {
    if (!is_pipeline_option(row->val)) continue;
    char name[96];
    vso_option_variable(row->name, name, sizeof name);
    if (column && column + strlen(name) + 2 > 78) fputs(",\n", f), column = 0;
    column += (size_t)fprintf(f, "%s%s", column ? ", " : "  ", name);
  }
  fputs("\n  Read as the agent sets them: TF_BUILD (True: a logissue is not repeated on\n"
        "  stderr), SYSTEM_DEBUG (true: as --verbose), DECODE_PERCENTS, and for the summary\n"
        "  SYSTEM_STAGENAME, SYSTEM_JOBNAME, SYSTEM_JOBDISPLAYNAME, SYSTEM_TASKINSTANCENAME,\n"
        "  SYSTEM_TASKDISPLAYNAME.\n",
        f);
  return !ferror(f);
}

bool vso_parse_options(int argc, char **argv, vso_options *o, vso_buf *err) {
  memset(o, 0, sizeof *o);
  o->knobs = vso_dialect_knobs(); /* read as the agent reads them; options override */
  o->drain_timeout = 5.0;
  o->kill_after = 5.0;
  if (argc < 2) return fail(err, "no sub-command given", NULL, NULL);
  const char *first = argv[1];
  int skip = 1;
  if (strcmp(first, "run") == 0) o->cmd = VSO_CMD_RUN;
  else if (strcmp(first, "replay") == 0) o->cmd = VSO_CMD_REPLAY;
  else if (strcmp(first, "expect") == 0) o->cmd = VSO_CMD_EXPECT;
  else if (strcmp(first, "help") == 0) o->cmd = VSO_CMD_HELP;
  else if (first[0] == '-') {
    o->cmd = VSO_CMD_RUN; /* the short form for a YAML step prefix */
    skip = 0;
  } else
    return fail(err, "unknown sub-command '", first, "'");
  bool seen[OPT_CODES] = {false};
  if (!parse_flags(argc - skip, argv + skip, o, seen, err)) return false;
  if (o->cmd == VSO_CMD_HELP || o->cmd == VSO_CMD_VERSION) return true;
  return apply_variables(o, seen, err) && check_operands(o, err);
}

bool vso_options_policy(const vso_options *o, vso_policy *policy) {
  memset(policy, 0, sizeof *policy);
  policy->restricted = o->restrict_commands;
  for (size_t i = 0; i < o->allow_variables.n; i++)
    if (!vso_policy_add_set(policy, o->allow_variables.items[i])) return false;
  return true;
}

const char **vso_options_inputs(const vso_options *o, size_t *n) {
  size_t files = o->cmd == VSO_CMD_REPLAY ? (size_t)o->noperands : 0;
  size_t total = o->expect_files.n + (o->manifest ? 1 : 0) + files;
  *n = 0;
  if (!total) return NULL;
  const char **in = malloc(total * sizeof *in);
  if (!in) {
    *n = SIZE_MAX;
    return NULL;
  }
  for (size_t i = 0; i < o->expect_files.n; i++) in[(*n)++] = o->expect_files.items[i];
  if (o->manifest) in[(*n)++] = o->manifest;
  for (size_t i = 0; i < files; i++) in[(*n)++] = o->operands[i];
  return in;
}

void vso_options_free(vso_options *o) {
  list_free(&o->expect_lists);
  list_free(&o->expect_files);
  list_free(&o->os_versions);
  list_free(&o->paths);
  list_free(&o->distinct_os_versions);
  list_free(&o->allow_variables);
  list_free(&o->from_environment);
}
