/* SPDX-License-Identifier: MIT */
/* The Azure Pipelines agent's dialect (dialect.h), as
 * microsoft/azure-pipelines-agent reads it; docs/agent.md gives the
 * upstream files and commit.  Its grammar and escaping are in command.c. */
#include "dialect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lines ------------------------------------------------------------------ */

/* Command.LoggingCommandPrefix: found anywhere in a line, case-sensitive. */
const char vso_dialect_prefix[] = "##vso[";
const size_t vso_dialect_prefix_len = sizeof vso_dialect_prefix - 1;

const size_t vso_dialect_keyword_len = 5;
const char vso_dialect_inert_keyword[] = "**vso";

/* "##vso" in any case at p (StringUtil.DeactivateVsoCommands matches it
 * with RegexOptions.IgnoreCase). */
static bool is_keyword(const char *p, size_t n) {
  static const char want[] = "vso";
  if (n < 5 || p[0] != '#' || p[1] != '#') return false;
  for (int i = 0; i < 3; i++) {
    char c = p[2 + i];
    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    if (c != want[i]) return false;
  }
  return true;
}

size_t vso_next_keyword(const char *p, size_t n) {
  for (size_t i = 0; i + 5 <= n;) {
    const char *hash = memchr(p + i, '#', n - i - 4);
    if (!hash) break;
    i = (size_t)(hash - p);
    if (is_keyword(p + i, n - i)) return i;
    i++;
  }
  return n;
}

/* Every "##vso", in any case, becomes "**vso" (lower case, as the agent
 * writes it). */
bool vso_deactivate(const char *p, size_t n, vso_buf *out) {
  if (n == 0) return vso_buf_append(out, "", 0);
  size_t from = 0;
  for (;;) {
    size_t at = from + vso_next_keyword(p + from, n - from);
    if (!vso_buf_append(out, p + from, at - from)) return false;
    if (at == n) return true;
    if (!vso_buf_append_str(out, vso_dialect_inert_keyword)) return false;
    from = at + vso_dialect_keyword_len;
  }
}

/* StreamReader.DetectEncoding (dotnet/runtime, System.Private.CoreLib
 * StreamReader.cs), run on the reader's first read: FE FF, FF FE (FF FE 00 00
 * is UTF-32 LE, told apart only when 4 bytes are there), EF BB BF, 00 00 FE FF.
 * The reader looks again at a later read when its first held fewer than 3
 * bytes: vsorelay writes at least VSO_ENCODING_BYTES at once first
 * (writer.c), so the agent decides on the same bytes as here. */
vso_stream_encoding vso_stream_encoding_of(const unsigned char *p, size_t n, bool at_end) {
  static const struct {
    unsigned char mark[4];
    size_t len;
    vso_stream_encoding enc;
  } marks[] = {
      {{0xFF, 0xFE, 0x00, 0x00}, 4, VSO_ENC_UTF32LE}, /* before FF FE: the longer one wins */
      {{0xFE, 0xFF}, 2, VSO_ENC_UTF16BE},
      {{0xFF, 0xFE}, 2, VSO_ENC_UTF16LE},
      {{0xEF, 0xBB, 0xBF}, 3, VSO_ENC_UTF8},
      {{0x00, 0x00, 0xFE, 0xFF}, 4, VSO_ENC_UTF32BE},
  };
  const size_t nmarks = sizeof marks / sizeof marks[0];
  for (size_t i = 0; i < nmarks && !at_end; i++) /* the start of a longer mark: more bytes decide */
    if (n < marks[i].len && memcmp(p, marks[i].mark, n) == 0) return VSO_ENC_UNDECIDED;
  for (size_t i = 0; i < nmarks; i++)
    if (n >= marks[i].len && memcmp(p, marks[i].mark, marks[i].len) == 0) return marks[i].enc;
  return VSO_ENC_UTF8;
}

const char *vso_stream_encoding_name(vso_stream_encoding e) {
  switch (e) {
    case VSO_ENC_UTF16LE: return "UTF-16 LE";
    case VSO_ENC_UTF16BE: return "UTF-16 BE";
    case VSO_ENC_UTF32LE: return "UTF-32 LE";
    case VSO_ENC_UTF32BE: return "UTF-32 BE";
    default: return "UTF-8";
  }
}

const char *vso_stream_encoding_mark(vso_stream_encoding e) {
  switch (e) {
    case VSO_ENC_UTF16LE: return "FF FE";
    case VSO_ENC_UTF16BE: return "FE FF";
    case VSO_ENC_UTF32LE: return "FF FE 00 00";
    case VSO_ENC_UTF32BE: return "00 00 FE FF";
    default: return "";
  }
}

/* ---- knobs ---------------------------------------------------------------------- */

/* A knob of the agent's (AgentKnobs) is read from the job's variables
 * (RuntimeKnobSource), which the step sees as environment variables, then
 * from the agent's environment (EnvironmentKnobSource); an empty value is
 * no value, and the built-in default applies.  Its value reads as
 * StringUtil.ConvertToBoolean reads it: "1", "true", "$true" (ToLowerInvariant,
 * so any case) are true, and any other value false. */
bool vso_knob_true(const char *v) {
  size_t n = strlen(v);
  return strcmp(v, "1") == 0 || vso_ieq(v, n, "true", 4) || vso_ieq(v, n, "$true", 5);
}

static bool knob(const char *name, bool builtin_default) {
  const char *v = getenv(name);
  return v && *v ? vso_knob_true(v) : builtin_default;
}

/* An environment variable read as the agent reads its own Boolean
 * settings (Variables.GetBoolean: Boolean.TryParse, so "true" in any case,
 * white space around it ignored; "1" is not true). */
static bool env_true(const char *name) {
  const char *v = getenv(name);
  return v && vso_parse_bool(v, strlen(v));
}

vso_knobs vso_dialect_knobs(void) {
  return (vso_knobs){
      .decode_percents = knob("DECODE_PERCENTS", true),
      .allow_multiline_secret = knob("SYSTEM_UNSAFEALLOWMULTILINESECRET", false),
      /* system.debug, which the worker reads into ExecutionContext.WriteDebug
       * (Variables.System_Debug) and the step sees as SYSTEM_DEBUG */
      .debug = env_true("SYSTEM_DEBUG"),
      /* the agent sets TF_BUILD=True in every step's environment */
      .under_agent = env_true("TF_BUILD"),
  };
}

#ifdef _WIN32
const char vso_dialect_newline[] = "\r\n";
#else
const char vso_dialect_newline[] = "\n";
#endif

/* A predefined variable the agent exports to the step ("system.jobName" as
 * SYSTEM_JOBNAME), or NULL when it is unset or empty. */
static const char *env_name(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

vso_step_place vso_dialect_step_place(void) {
  return (vso_step_place){
      .stage = env_name("SYSTEM_STAGENAME"),
      .job = env_name("SYSTEM_JOBNAME"),
      .job_display = env_name("SYSTEM_JOBDISPLAYNAME"),
      /* TaskRunner sets system.taskInstanceName to the step's name (the
       * `name:` that output references use) and system.taskDisplayName */
      .step = env_name("SYSTEM_TASKINSTANCENAME"),
      .step_display = env_name("SYSTEM_TASKDISPLAYNAME"),
  };
}

/* ---- commands ----------------------------------------------------------------------- */

/* A name and its length, so that a lookup compares lengths before bytes
 * (this runs for every command of a log that may hold millions). */
typedef struct known_name {
  const char *p;
  size_t n;
} known_name;
#define KNOWN(s) {s, sizeof s - 1}

/* The command extensions of the worker (WorkerCommandManager) and their
 * events, aliases included. */
static const struct {
  known_name area;
  known_name events[16];
} known_commands[] = {
    {KNOWN("task"),
     {KNOWN("logdetail"), KNOWN("uploadsummary"), KNOWN("uploadfile"), KNOWN("addattachment"), KNOWN("logissue"),
      KNOWN("issue"), KNOWN("complete"), KNOWN("setprogress"), KNOWN("setsecret"), KNOWN("setvariable"),
      KNOWN("debug"), KNOWN("settaskvariable"), KNOWN("setendpoint"), KNOWN("prependpath")}},
    {KNOWN("artifact"), {KNOWN("associate"), KNOWN("upload")}},
    {KNOWN("build"), {KNOWN("uploadlog"), KNOWN("uploadsummary"), KNOWN("updatebuildnumber"), KNOWN("addbuildtag")}},
    {KNOWN("release"), {KNOWN("updatereleasename")}},
    {KNOWN("codecoverage"), {KNOWN("publish")}},
    {KNOWN("results"), {KNOWN("publish")}},
    {KNOWN("telemetry"), {KNOWN("publish")}},
};

int vso_known_command(const char *area, size_t an, const char *event, size_t en) {
  for (size_t i = 0; i < sizeof known_commands / sizeof known_commands[0]; i++) {
    if (!vso_ieq(area, an, known_commands[i].area.p, known_commands[i].area.n)) continue;
    for (const known_name *e = known_commands[i].events; e->p; e++)
      if (vso_ieq(event, en, e->p, e->n)) return 1;
    return 0;
  }
  return -1;
}

/* Commands with [CommandRestriction(AllowedInRestrictedMode = true)]. */
static const struct {
  known_name area, event;
} restricted_allowed[] = {
    {KNOWN("task"), KNOWN("logdetail")},   {KNOWN("task"), KNOWN("logissue")},
    {KNOWN("task"), KNOWN("issue")},       {KNOWN("task"), KNOWN("complete")},
    {KNOWN("task"), KNOWN("setprogress")}, {KNOWN("task"), KNOWN("setsecret")},
    {KNOWN("task"), KNOWN("setvariable")}, {KNOWN("task"), KNOWN("debug")},
    {KNOWN("task"), KNOWN("settaskvariable")}, {KNOWN("task"), KNOWN("prependpath")},
    {KNOWN("telemetry"), KNOWN("publish")},
};

bool vso_dialect_allowed_restricted(const char *area, size_t an, const char *event, size_t en) {
  for (size_t i = 0; i < sizeof restricted_allowed / sizeof restricted_allowed[0]; i++)
    if (vso_ieq(area, an, restricted_allowed[i].area.p, restricted_allowed[i].area.n) &&
        vso_ieq(event, en, restricted_allowed[i].event.p, restricted_allowed[i].event.n))
      return true;
  return false;
}

vso_command_kind vso_dialect_kind(const vso_command *cmd) {
  if (!vso_ieq(cmd->area.p, cmd->area.n, "task", 4)) return VSO_KIND_OTHER;
  const char *e = cmd->event.p;
  size_t n = cmd->event.n;
  if (vso_ieq(e, n, "setvariable", 11)) return VSO_KIND_SETVARIABLE;
  if (vso_ieq(e, n, "setsecret", 9)) return VSO_KIND_SETSECRET;
  if (vso_ieq(e, n, "complete", 8)) return VSO_KIND_COMPLETE;
  if (vso_ieq(e, n, "prependpath", 11)) return VSO_KIND_PREPENDPATH;
  return VSO_KIND_OTHER;
}

const char *vso_dialect_settable_name(vso_command_kind kind) { return kind == VSO_KIND_PREPENDPATH ? "path" : NULL; }

/* char.IsWhiteSpace for one UTF-8 sequence at p, returning its length or 0. */
static size_t white_space_at(const unsigned char *p, size_t n) {
  if (p[0] == '\0' || p[0] == ' ' || (p[0] >= 0x09 && p[0] <= 0x0D)) return 1;
  if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0)) return 2;
  if (n < 3) return 0;
  unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
  bool ws = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
            cp == 0x202F || cp == 0x205F || cp == 0x3000;
  return ws ? 3 : 0;
}

/* Length of the white space that ends p[0..n). */
static size_t trailing_white_space(const unsigned char *p, size_t n) {
  size_t cut = 0;
  for (;;) {
    size_t rest = n - cut, w = 0;
    if (rest >= 1 && white_space_at(p + rest - 1, 1) == 1) w = 1;
    else if (rest >= 2 && white_space_at(p + rest - 2, 2) == 2) w = 2;
    else if (rest >= 3 && white_space_at(p + rest - 3, 3) == 3) w = 3;
    if (!w) return cut;
    cut += w;
  }
}

bool vso_parse_bool(const char *p, size_t n) {
  const unsigned char *q = (const unsigned char *)p;
  size_t w;
  while (n && (w = white_space_at(q, n))) q += w, n -= w;
  n -= trailing_white_space(q, n);
  return vso_ieq((const char *)q, n, "true", 4);
}

/* TaskSetVariableCommand reads variable, issecret, isoutput and isreadonly. */
vso_setvar_fields vso_dialect_setvariable(const vso_command *cmd) {
  vso_setvar_fields f = {0};
  for (size_t i = 0; i < cmd->nprops; i++) {
    const vso_prop *p = &cmd->props[i];
    if (p->key.n == 8 && vso_ieq(p->key.p, 8, "variable", 8)) f.variable = p->value.n ? p : NULL;
    else if (p->key.n == 8 && vso_ieq(p->key.p, 8, "issecret", 8)) f.is_secret = vso_parse_bool(p->value.p, p->value.n);
    else if (p->key.n == 8 && vso_ieq(p->key.p, 8, "isoutput", 8)) f.is_output = vso_parse_bool(p->value.p, p->value.n);
    else if (p->key.n == 10 && vso_ieq(p->key.p, 10, "isreadonly", 10))
      f.is_readonly = vso_parse_bool(p->value.p, p->value.n);
  }
  return f;
}

/* ---- words ------------------------------------------------------------------------- */

bool vso_dialect_say(vso_buf *out, vso_finding f, const char *a, const char *b) {
  switch (f) {
    case VSO_SAY_NOT_A_COMMAND:
      return vso_buf_appendf(out, "'%s' holds the logging command keyword but is not a command: the agent prints it "
                                  "as text", a);
    case VSO_SAY_UNKNOWN_AREA:
      return vso_buf_appendf(out, "unknown command area '%s': the agent warns and ignores the command", a);
    case VSO_SAY_UNKNOWN_EVENT:
      return vso_buf_appendf(out, "'%s.%s' is not a command of the '%s' area: the agent fails the step", a, b, a);
    case VSO_SAY_RESTRICTED:
      return vso_buf_appendf(out, "'%s.%s' is not allowed in restricted mode: neutralised, as the agent skips it", a, b);
    case VSO_SAY_NOT_SETTABLE:
      return vso_buf_appendf(out, "setting variable '%s' is not allowed by --allow-variables: dropped, as the agent "
                                  "drops it", a);
    case VSO_SAY_NO_NAME:
      return vso_buf_append_str(out, "task.setvariable without a variable name: the agent fails the step "
                                     "(\"Required field 'variable' is missing\")");
    case VSO_SAY_MULTILINE_SECRET:
      return vso_buf_appendf(out, "secret variable '%s' has a multi-line value: the agent fails the step "
                                  "(\"Secrets cannot contain multiple lines\")", a);
    case VSO_SAY_REJECTED:
      return vso_buf_append_str(out, "its last task.setvariable makes the agent fail the step");
    case VSO_SAY_NOT_OUTPUT:
      return vso_buf_append_str(out, "set, but not as an output variable (isoutput=true is missing), so "
                                     "dependencies.<job>.outputs['<step>.<name>'] is Null downstream");
  }
  return vso_buf_append_str(out, "?");
}

const char *vso_dialect_term(vso_term t) {
  switch (t) {
    case VSO_TERM_SETVARIABLE: return "task.setvariable";
    case VSO_TERM_COMPLETE: return "task.complete";
    case VSO_TERM_OUTPUT_FLAG: return "isoutput=true";
    case VSO_TERM_MATRIX_USE: return "strategy.matrix: $[ ... ]";
  }
  return "?";
}

static const char *or_placeholder(const char *name, const char *placeholder) { return name ? name : placeholder; }

/* "<job>.outputs['<step>.name']" */
static bool job_output(vso_buf *out, const vso_step_place *place, const char *name) {
  return vso_buf_append_str(out, or_placeholder(place ? place->job : NULL, "<job>")) &&
         vso_buf_append_str(out, ".outputs['") &&
         vso_buf_append_str(out, or_placeholder(place ? place->step : NULL, "<step>")) &&
         vso_buf_append_char(out, '.') && vso_buf_append_str(out, name) && vso_buf_append_str(out, "']");
}

bool vso_dialect_output_reference(vso_buf *out, const vso_step_place *place, const char *name) {
  return vso_buf_append_str(out, "dependencies.") && job_output(out, place, name);
}

bool vso_dialect_stage_output_reference(vso_buf *out, const vso_step_place *place, const char *name) {
  return vso_buf_append_str(out, "stageDependencies.") &&
         vso_buf_append_str(out, or_placeholder(place ? place->stage : NULL, "<stage>")) &&
         vso_buf_append_char(out, '.') && job_output(out, place, name);
}

/* ---- vsorelay's own commands ------------------------------------------------------------ */

static const char *const heads[] = {
    [VSO_OWN_SETSECRET] = "##vso[task.setsecret]",
    [VSO_OWN_ERROR] = "##vso[task.logissue type=error]",
    [VSO_OWN_FAIL] = "##vso[task.complete result=Failed;]",
    [VSO_OWN_UPLOAD_SUMMARY] = "##vso[task.uploadsummary]",
    [VSO_OWN_WARNING] = "##vso[task.logissue type=warning]",
    [VSO_OWN_WITH_ISSUES] = "##vso[task.complete result=SucceededWithIssues;]",
    /* formatting lines: the log viewer folds what lies between them; the
     * agent passes them on as text */
    [VSO_OWN_GROUP] = "##[group]",
    [VSO_OWN_ENDGROUP] = "##[endgroup]",
};

const char *vso_dialect_command_head(vso_own_command kind) { return heads[kind]; }

bool vso_dialect_command(vso_buf *out, vso_own_command kind, const char *text, size_t n) {
  if (!vso_buf_append_str(out, heads[kind])) return false;
  if (kind == VSO_OWN_ENDGROUP) return vso_buf_append_char(out, '\n');
  /* a secret's data goes as it came: the agent unescapes it as before; a
   * group's title is vsorelay's own one line, which nothing unescapes */
  bool ok = kind == VSO_OWN_SETSECRET || kind == VSO_OWN_GROUP ? vso_buf_append(out, text, n)
                                                                : vso_escape(text, n, out);
  return ok && vso_buf_append_char(out, '\n');
}
