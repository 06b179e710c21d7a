/* SPDX-License-Identifier: MIT */
/* What the agent makes of the logging commands in a step's output: the
 * command parser's results, what each command does (dialect.h), variables
 * set (docs/agent.md, "task.setvariable"), secrets, and the diagnostics for everything that
 * would make the agent warn or fail the step.  Fed one held line at a time
 * by the scanner, from any number of sources (streams or files); each line's
 * result is handed back to the caller, so that no later stage reads the line
 * again. */
#ifndef VSO_ANALYSIS_H
#define VSO_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

#include "buf.h"
#include "command.h"
#include "dialect.h"
#include "matrix.h"
#include "nameindex.h"
#include "policy.h"
#include "scan.h"
#include "text.h"

typedef enum { VSO_WARNING, VSO_ERROR } vso_severity;

/* What a diagnostic is about: each kind keeps its first VSO_DIAGS_PER_KIND
 * diagnostics and counts the rest, so that two million unknown commands
 * cost a count, not two million messages. */
typedef enum vso_diag_kind {
  VSO_DIAG_NOT_A_COMMAND,
  VSO_DIAG_UNKNOWN_AREA,
  VSO_DIAG_UNKNOWN_EVENT,
  VSO_DIAG_RESTRICTED,
  VSO_DIAG_NOT_SETTABLE,
  VSO_DIAG_NO_NAME,
  VSO_DIAG_MULTILINE_SECRET,
  VSO_DIAG_TOO_LONG,
  VSO_DIAG_CUT,
  VSO_DIAG_OTHER,
  VSO_DIAG_KINDS
} vso_diag_kind;

enum { VSO_DIAGS_PER_KIND = 100 };

/* "not-a-command", "unknown-area", ... (the report's words). */
const char *vso_diag_kind_name(vso_diag_kind k);

typedef struct vso_diag {
  vso_diag_kind kind;
  vso_severity severity;
  const char *source;  /* borrowed: the stream or file name, owned by the caller */
  uint64_t line_no;    /* 0 when not tied to a line */
  char *message;       /* owned; already quoted: safe to print as it is */
} vso_diag;

typedef struct vso_setvar {
  /* read-only: slices of the setvar's own buffers below, valid until
   * vso_analysis_free */
  vso_slice name;      /* p == NULL when the command has no usable name */
  vso_slice value;     /* unescaped */
  vso_slice raw;       /* the command from "##vso[" to the end of its line, as received */
  size_t data_at;      /* where the value, as received, starts in raw: just after the ']' */
  const char *source;  /* borrowed: the stream or file name, owned by the caller */
  uint64_t line_no;
  bool is_secret, is_output, is_readonly;
  bool rejected;       /* the agent fails the step on it (see diagnostics) */
  bool refused;        /* not allowed by the policy: the agent does not set it */
  /* read-only: the name's history up to this command, as positions in
   * setvars plus one (0: none); see vso_analysis_output */
  uint32_t output_at;  /* its last set that the agent keeps as the output value */
  uint32_t rejected_at; /* its last command that makes the agent fail the step */
  bool cut;            /* its line had not ended when vsorelay stopped the command
                          (vso_line.cut): never re-emitted, an expectation on it unmet */
  uint64_t length;     /* the value's length as received (value.n, but for a replayed
                          capture, whose value is shown masked) */
  /* private (a log may hold millions of these: two pointers, not two vso_bufs) */
  char *raw_;          /* owns raw, and name and value when nothing was unescaped */
  char *unescaped_;    /* owns name and value when they were unescaped, or NULL */
  signed char known_matrix_; /* replay of a capture: the run's matrix verdict: 0 none, 1 usable, 2 not */
  signed char known_legs_;   /* replay of a capture: whether the value held the announced legs
                                as the run found (@legs): 0 not known, 1 it did, 2 it did not */
  char *known_why_;    /* owned: its reason, or NULL */
} vso_setvar;

/* A setvariable's value read as a build matrix (vso_analysis_read_matrix). */
typedef struct vso_value_matrix {
  bool read;           /* false: not read yet */
  bool usable;         /* a usable build matrix: matrix holds its legs */
  vso_matrix matrix;   /* owned */
  char *why;           /* owned: why it is not one, when it is not */
} vso_value_matrix;

/* At most this many command names are counted apart; the rest together
 * under VSO_COUNT_OTHERS (which is no command name: it has no '.'). */
enum { VSO_COUNT_NAMES = 1 << 17 };
#define VSO_COUNT_OTHERS "(other commands)"

typedef struct vso_count {
  char *name;          /* owned: "area.event", lower-cased (ASCII) */
  size_t len;
  uint64_t n;
} vso_count;

typedef enum {
  VSO_LINE_NOT_COMMAND,   /* holds "##vso[" but the agent prints it as text */
  VSO_LINE_COMMAND,       /* a command other than those below */
  VSO_LINE_COMPLETE,      /* task.complete: after done=true the agent drops what follows */
  VSO_LINE_SETVARIABLE,   /* a task.setvariable the agent carries out */
  VSO_LINE_REFUSED,       /* a command the policy does not allow: the agent skips it */
} vso_line_kind;

/* What one held line was, for the stage after the analysis. */
typedef struct vso_line_result {
  vso_line_kind kind;
  /* the task.setvariable the line was (also when refused), or NULL; valid
   * until the next line is analysed */
  const vso_setvar *setvar;
  /* where the command's data starts in line->text: just after its ']'
   * (line->len when the line is no command) */
  size_t data_at;
  /* memory ran out: the line could not be read (kind VSO_LINE_NOT_COMMAND,
   * or VSO_LINE_REFUSED); it must never reach the agent live */
  bool unread;
  /* a task.setsecret whose line was cut (vso_line.cut): not carried out, but
   * its data (from data_at, as received) is a secret all the same, which
   * the relay registers with the agent itself */
  bool cut_secret;
} vso_line_result;

/* What a held line was, said without its text: what a capture records for a
 * line whose shown text masking changed (capture.h), and what replay reads
 * back with vso_analysis_facts.  Every slice is borrowed. */
typedef struct vso_line_facts {
  uint64_t line_no;
  vso_line_kind kind;
  bool exact;          /* the shown text is the line as read: read it again instead */
  bool cut, truncated; /* as in vso_line */
  bool unread;         /* memory ran out: the run could not read it */
  vso_slice text;      /* the line as shown (masked), from the prefix, no terminator */
  vso_slice count;     /* "area.event" as counted (lower case), or p == NULL */
  vso_slice diags;     /* the line's diagnostics: "E<message>\n" or "W<message>\n" each */
  bool setvar;         /* a task.setvariable (carried out, refused or cut) */
  vso_slice name;      /* p == NULL: no name */
  long expect;         /* the run's expectation the name is (index), when masking changed the
                          name, or -1: replay, given the same expectations, restores it */
  vso_slice value;     /* as shown (masked) */
  uint64_t length;     /* the value's length as received */
  bool is_secret, is_output, is_readonly, rejected, refused;
  int matrix;          /* the value as a build matrix: -1 not read, 0 not usable (why), 1 usable */
  vso_slice why;
} vso_line_facts;

typedef struct vso_analysis {
  /* public: set after vso_analysis_init */
  const vso_policy *policy;  /* optional: --restrict, --allow-variables */
  /* Optional observer, called for each parsed command (replay --format json). */
  void (*on_command)(void *ctx, const vso_command *cmd, const vso_line *line, const char *source,
                     bool is_secret_value);
  void *on_command_ctx;
  /* read-only */
  vso_knobs knobs;         /* the agent's settings it reads with */
  bool out_of_memory;
  uint64_t unread_lines;   /* replay of a capture: lines the run could not read (memory) */
  uint64_t commands;
  vso_count *counts;       /* in the order first seen */
  size_t ncounts;
  vso_setvar *setvars;     /* every task.setvariable, in order */
  size_t nsetvars;
  vso_diag *diags;         /* the first VSO_DIAGS_PER_KIND of each kind */
  size_t ndiags;
  uint64_t diag_counts[VSO_DIAG_KINDS]; /* every one, kept or not */
  uint64_t diags_omitted;  /* those past the limit of their kind */
  vso_secrets secrets;
  /* private */
  size_t counts_cap_, setvars_cap_, diags_cap_;
  vso_name_index count_index_; /* name -> position in counts */
  size_t last_count_;          /* the entry counted last */
  vso_name_index last_set_;    /* name -> index in setvars of its last carried-out set */
  vso_value_matrix *matrices_; /* parallel to setvars (at least as long), grown when a value is read */
  size_t nmatrices_;
} vso_analysis;

void vso_analysis_init(vso_analysis *a, vso_knobs knobs);
void vso_analysis_free(vso_analysis *a);
/* A new attempt of the same step (--retries, a capture's next attempt):
 * everything read is forgotten but the secrets, which stay masked, as the
 * agent's masker forgets none; the policy, the observer and the knobs stay. */
void vso_analysis_restart(vso_analysis *a);

/* Reads one held line (from the scanner) as the agent would. */
vso_line_result vso_analysis_line(vso_analysis *a, const vso_line *line, const char *source);

/* Records a line from its facts, as vso_analysis_line recorded it in the
 * run (replay of a capture).  A usable matrix's legs are read from the
 * shown value when masking left them readable. */
vso_line_result vso_analysis_facts(vso_analysis *a, const vso_line_facts *f, const char *source);

/* Replay of a capture: setvars[i] is named name[0..n) (the run's name, which
 * the capture shows masked); then vso_analysis_reindex, once every name is
 * right, finds each name's sets again.  False when memory runs out. */
bool vso_analysis_rename(vso_analysis *a, size_t i, const char *name, size_t n);
bool vso_analysis_reindex(vso_analysis *a);

/* Where the analysis stood before a line, to tell what the line added. */
typedef struct vso_analysis_mark {
  size_t ndiags;
  uint64_t commands;
} vso_analysis_mark;
vso_analysis_mark vso_analysis_mark_now(const vso_analysis *a);

/* The facts of the line just analysed (r, from vso_analysis_line; before:
 * the mark taken before it), for a capture; diags receives its
 * diagnostics.  A setvariable's value is read as a matrix now.  Slices
 * borrow from the analysis, the line and diags: valid until the next line. */
vso_line_facts vso_analysis_line_facts(vso_analysis *a, const vso_line *line, vso_line_result r,
                                       vso_analysis_mark before, vso_buf *diags);

/* How much of the line r was read from may be shown (neutralised): all of
 * it but a secret variable's value; of a line that could not be read, none
 * of its command; of a truncated line, none of its value when it sets a
 * secret or when memory ran out before that could be known. */
size_t vso_analysis_shown(const vso_analysis *a, const vso_line *line, vso_line_result r);

/* Record a diagnostic of kind VSO_DIAG_OTHER; fmt's arguments must already be quoted. */
void vso_analysis_diag(vso_analysis *a, vso_severity sev, const char *source, uint64_t line_no,
                       const char *fmt, ...) VSO_PRINTF(5, 6);
/* The same of a given kind, the message as it is (already quoted). */
void vso_analysis_diag_kind(vso_analysis *a, vso_diag_kind kind, vso_severity sev, const char *source,
                            uint64_t line_no, const char *message);
/* "N more diagnostics not kept (unknown-area: N, ...)" for the omitted ones,
 * or false when none was omitted or memory ran out. */
bool vso_analysis_omitted_text(const vso_analysis *a, vso_buf *out);

/* The last setvariable for name (case-insensitive) that the agent would
 * carry out (not refused by the policy), or NULL. */
const vso_setvar *vso_analysis_last(const vso_analysis *a, const char *name, size_t n);
/* For the name of sv, up to sv: the set whose value the agent keeps as the
 * output variable (ExecutionContext.SetVariable writes the job's output
 * record only for isoutput=true, so a later set without it changes nothing
 * there), and the last command the agent rejects; each NULL when none. */
const vso_setvar *vso_analysis_output(const vso_analysis *a, const vso_setvar *sv);
const vso_setvar *vso_analysis_rejected(const vso_analysis *a, const vso_setvar *sv);

/* The value of setvars[i] read as a build matrix, the first time it is
 * asked (a value is parsed once): its legs, or why it is none, are kept.
 * NULL only when memory runs out. */
const vso_value_matrix *vso_analysis_read_matrix(vso_analysis *a, size_t i);
/* The same for every setvariable whose legs a report may show (not
 * secret, not empty). */
void vso_analysis_read_matrices(vso_analysis *a);
/* What vso_analysis_read_matrix found for setvars[i], or NULL when it was
 * not read. */
const vso_value_matrix *vso_analysis_matrix(const vso_analysis *a, size_t i);

/* The neutralised live copy of a held line: its first shown bytes with
 * "##vso" deactivated and registered secrets masked, then "***" in place of
 * the rest when shown < line->len (a secret variable's value). */
bool vso_neutralise(const vso_analysis *a, const vso_line *line, size_t shown, vso_buf *out);

#endif
