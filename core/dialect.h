/* SPDX-License-Identifier: MIT */
/* The seam for dialects: everything vsorelay knows about one CI agent's
 * language of logging commands, behind one header.
 *
 * Azure Pipelines is dialect_azure.c, with its grammar and escaping
 * (Command.TryParse, CommandStringConvertor) in command.c.  A second agent
 * is a second file implementing this header, which the build compiles
 * instead, as a second platform is a second platform_*.c.  Nothing outside
 * a dialect names the agent's prefix, commands, properties, escapes, knobs
 * or messages: the scanner asks for the prefix, the analysis for what a
 * parsed command is, the relay for the commands vsorelay writes itself.
 *
 * The rules each function follows, with the upstream code they come from,
 * are in docs/agent.md. */
#ifndef VSO_DIALECT_H
#define VSO_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "command.h"

/* ---- lines ------------------------------------------------------------------ */

/* The text that starts a command anywhere in a line ("##vso[", at least two
 * bytes, at most VSO_DIALECT_PREFIX_MAX): the scanner holds a line from it. */
enum { VSO_DIALECT_PREFIX_MAX = 16 };
extern const char vso_dialect_prefix[];
extern const size_t vso_dialect_prefix_len;

/* The agent's keyword, which makes it look at a line ("##vso", any case),
 * and its inert form ("**vso"), as the agent itself deactivates it. */
extern const size_t vso_dialect_keyword_len;
extern const char vso_dialect_inert_keyword[];
/* Where the keyword next starts in p[0..n), or n. */
size_t vso_next_keyword(const char *p, size_t n);
/* Appends p[0..n) with every keyword made inert (StringUtil.DeactivateVsoCommands). */
bool vso_deactivate(const char *p, size_t n, vso_buf *out);

/* How the agent decodes a whole stream, decided by its first bytes: .NET's
 * StreamReader, which the agent's ProcessInvoker opens on the step's stdout
 * and stderr with byte-order-mark detection on, switches to UTF-16 or
 * UTF-32 for the rest of the stream when the stream starts with their mark,
 * and drops a UTF-8 mark.  A stream the agent decodes as UTF-16 or UTF-32
 * holds no command it can read: not the re-emitted ones either. */
typedef enum vso_stream_encoding {
  VSO_ENC_UNDECIDED,  /* too few bytes yet: they may begin a byte-order mark */
  VSO_ENC_UTF8,       /* no mark, or a UTF-8 one (dropped): what vsorelay reads */
  VSO_ENC_UTF16LE,
  VSO_ENC_UTF16BE,
  VSO_ENC_UTF32LE,
  VSO_ENC_UTF32BE,
} vso_stream_encoding;

/* The most bytes vso_stream_encoding_of needs to decide. */
enum { VSO_ENCODING_BYTES = 4 };
/* The encoding for a stream that starts with p[0..n); at_end: the stream
 * holds no more.  Undecided only while n < VSO_ENCODING_BYTES, !at_end and
 * p could still begin a mark. */
vso_stream_encoding vso_stream_encoding_of(const unsigned char *p, size_t n, bool at_end);
/* "UTF-16 LE", ...; its mark as hex bytes ("FF FE"). */
const char *vso_stream_encoding_name(vso_stream_encoding e);
const char *vso_stream_encoding_mark(vso_stream_encoding e);

/* ---- knobs -------------------------------------------------------------------- */

/* The agent's settings that change how it reads a step's output. */
typedef struct vso_knobs {
  bool decode_percents;         /* DECODE_PERCENTS: %AZP25 is decoded to '%' */
  bool allow_multiline_secret;  /* SYSTEM_UNSAFEALLOWMULTILINESECRET: a secret may hold a line break */
  bool debug;                   /* SYSTEM_DEBUG: the agent echoes the commands it processed */
  bool under_agent;             /* TF_BUILD: the step's output is read by the agent */
} vso_knobs;

/* The knobs as the agent reads them from the step's environment, each at
 * the agent's own default when unset or empty. */
vso_knobs vso_dialect_knobs(void);
/* The agent's reading of a knob's value (StringUtil.ConvertToBoolean): "1",
 * "true" or "$true" in any case are true, any other value false. */
bool vso_knob_true(const char *value);

/* What makes a secret multi-line for the agent (Environment.NewLine of the
 * machine it runs on: "\n", or "\r\n" on Windows). */
extern const char vso_dialect_newline[];

/* Where the step runs, as the agent tells it in the step's environment;
 * each NULL when it does not (outside the agent, or an older agent). */
typedef struct vso_step_place {
  const char *stage;         /* the stage's name, as later stages reference it */
  const char *job;           /* the job's name, as later jobs reference it */
  const char *job_display;   /* the job's display name */
  const char *step;          /* the step's name, as consumers reference its outputs */
  const char *step_display;  /* the step's display name */
} vso_step_place;

vso_step_place vso_dialect_step_place(void);

/* ---- commands ------------------------------------------------------------------- */

typedef enum vso_command_kind {
  VSO_KIND_OTHER,
  VSO_KIND_SETVARIABLE,  /* sets a variable, maybe an output: what vsorelay holds */
  VSO_KIND_SETSECRET,    /* registers its data as a secret */
  VSO_KIND_COMPLETE,     /* ends the step: the agent drops what follows */
  VSO_KIND_PREPENDPATH,  /* sets PATH: subject to settableVariables as "path" */
} vso_command_kind;

vso_command_kind vso_dialect_kind(const vso_command *cmd);

/* Whether the agent knows area.event (case-insensitive): 1 known command,
 * 0 known area but unknown event (fails the step), -1 unknown area (warns). */
int vso_known_command(const char *area, size_t an, const char *event, size_t en);
/* Whether area.event may run where the step's commands are restricted. */
bool vso_dialect_allowed_restricted(const char *area, size_t an, const char *event, size_t en);
/* The variable a command of this kind sets, as settableVariables names it
 * ("path" for prependpath), or NULL. */
const char *vso_dialect_settable_name(vso_command_kind kind);

/* What a task.setvariable says, read from its properties in one pass. */
typedef struct vso_setvar_fields {
  const vso_prop *variable;  /* the name (non-empty), or NULL */
  bool is_secret, is_output, is_readonly;
} vso_setvar_fields;

vso_setvar_fields vso_dialect_setvariable(const vso_command *cmd);

/* The agent's reading of a flag (Boolean.TryParse): "true" or "false" in any
 * case, surrounding white space and NULs ignored; anything else is false. */
bool vso_parse_bool(const char *p, size_t n);

/* ---- words ---------------------------------------------------------------------- */

/* What the agent does about a line, in words that quote the agent's own
 * messages; a and b are already quoted names (see each). */
typedef enum vso_finding {
  VSO_SAY_NOT_A_COMMAND,    /* a: the line from the prefix */
  VSO_SAY_UNKNOWN_AREA,     /* a: area */
  VSO_SAY_UNKNOWN_EVENT,    /* a: area, b: event */
  VSO_SAY_RESTRICTED,       /* a: area, b: event */
  VSO_SAY_NOT_SETTABLE,     /* a: variable name */
  VSO_SAY_NO_NAME,          /* a setvariable without a name */
  VSO_SAY_MULTILINE_SECRET, /* a: variable name */
  VSO_SAY_REJECTED,         /* why an expected variable is unusable: its command fails the step */
  VSO_SAY_NOT_OUTPUT,       /* why: it was not set as an output */
} vso_finding;

/* Appends the words for f.  False when memory runs out. */
bool vso_dialect_say(vso_buf *out, vso_finding f, const char *a, const char *b);

/* The agent's terms, for vsorelay's own sentences about a step. */
typedef enum vso_term {
  VSO_TERM_SETVARIABLE,    /* "task.setvariable": the command that sets a variable */
  VSO_TERM_COMPLETE,       /* "task.complete" */
  VSO_TERM_OUTPUT_FLAG,    /* "isoutput=true": what makes it an output */
  VSO_TERM_MATRIX_USE,     /* "strategy.matrix: $[ ... ]": where a matrix is used */
} vso_term;

const char *vso_dialect_term(vso_term t);
/* How a later job names the output variable name, e.g.
 * "dependencies.<job>.outputs['<step>.name']", with the place's job and step
 * names where it has them (place may be NULL: placeholders). */
bool vso_dialect_output_reference(vso_buf *out, const vso_step_place *place, const char *name);
/* The same from a later stage ("stageDependencies.<stage>.<job>.outputs[...]"). */
bool vso_dialect_stage_output_reference(vso_buf *out, const vso_step_place *place, const char *name);

/* ---- vsorelay's own commands ------------------------------------------------------ */

typedef enum vso_own_command {
  VSO_OWN_SETSECRET,       /* text: a secret's data as it was received (already escaped) */
  VSO_OWN_ERROR,           /* text: an error of the step (escaped here) */
  VSO_OWN_FAIL,            /* text: why the step fails; it ends the step as failed */
  VSO_OWN_UPLOAD_SUMMARY,  /* text: the absolute path of a Markdown summary */
  VSO_OWN_WARNING,         /* text: a warning of the step (escaped here); it does not
                              change the step's result */
  VSO_OWN_WITH_ISSUES,     /* text: why the step, which succeeds, ends "succeeded with
                              issues" (the agent keeps the worst result it was told) */
  VSO_OWN_GROUP,           /* text: the title of a fold of the log that starts here
                              (one line of vsorelay's own, written as it is) */
  VSO_OWN_ENDGROUP,        /* no text: the fold ends here */
} vso_own_command;

/* The start of that command, up to its text ("##vso[task.setsecret]"). */
const char *vso_dialect_command_head(vso_own_command kind);
/* Appends the command (or the formatting line) that does kind with
 * text[0..n), and its line end. */
bool vso_dialect_command(vso_buf *out, vso_own_command kind, const char *text, size_t n);

#endif
