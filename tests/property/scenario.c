/* SPDX-License-Identifier: MIT */
/* A scenario from a seed: expected names, secrets, lines on both streams
 * (variables set well and badly, secrets registered then printed, unknown
 * commands, commands inside text, the command's own task.complete), a
 * byte-order mark now and then, and an end: an exit status, a signal, or a
 * grandchild cut off by the drain timeout.  A secret is printed only after
 * it was registered on the same stream, as a careful step does: the agent
 * could not mask it earlier either. */
#include <stdio.h>
#include <string.h>

#include "prop.h"

static const char *const terms[] = {"\n", "\r\n", "\r"};

typedef struct builder {
  prop_scenario *s;
  prop_rng *r;
  bool registered[2][PROP_MAX_SECRETS]; /* per stream */
} builder;

/* A name that is some spelling (case) of an expected one, or another name. */
static void pick_name(builder *b, char *out, size_t size) {
  prop_rng *r = b->r;
  if (!prop_chance(r, 75)) {
    snprintf(out, size, "other%u", prop_below(r, 3));
    return;
  }
  snprintf(out, size, "%s", b->s->expect[prop_below(r, (unsigned)b->s->nexpect)]);
  for (char *c = out; *c; c++)
    if (prop_chance(r, 30) && *c >= 'a' && *c <= 'z') *c = (char)(*c - 32);
}

/* A secret registered on stream, or -1. */
static int registered_secret(builder *b, int stream) {
  int pick = (int)prop_below(b->r, PROP_MAX_SECRETS);
  return pick < b->s->nsecrets && b->registered[stream][pick] ? pick : -1;
}

static void value_of(builder *b, int stream, char *out, size_t size) {
  prop_rng *r = b->r;
  int k = registered_secret(b, stream);
  unsigned what = prop_below(r, 10);
  if (what == 0) snprintf(out, size, "%s", "");
  else if (what == 1) snprintf(out, size, "{\"leg%u\":{\"a\":\"b\"}}", prop_below(r, 9));
  else if (what == 2 && k >= 0) snprintf(out, size, "with-%s-inside", b->s->secrets[k]);
  else if (what == 3) snprintf(out, size, "has%%3Bescapes%%AZP25%u", prop_below(r, 99));
  else snprintf(out, size, "value%u", prop_below(r, 1000));
}

static void add_setvariable(builder *b, prop_line *l) {
  prop_rng *r = b->r;
  char name[16], value[64];
  pick_name(b, name, sizeof name);
  static const char *const outputs[] = {"true", "True", " true ", "false", "maybe"};
  const char *output = outputs[prop_chance(r, 75) ? prop_below(r, 3) : 3 + prop_below(r, 2)];
  unsigned secret = prop_below(r, 20); /* 0-2: a secret value, 3: a multi-line one */
  int k = (int)prop_below(r, PROP_MAX_SECRETS);
  if (secret <= 2 && k < b->s->nsecrets) {
    snprintf(value, sizeof value, "%s", b->s->secrets[k]);
    b->registered[l->stream][k] = true; /* the agent registers it as it reads the line */
  } else if (secret == 3) {
    snprintf(value, sizeof value, "first%%0Asecond");
  } else {
    value_of(b, l->stream, value, sizeof value);
  }
  bool is_secret = (secret <= 2 && k < b->s->nsecrets) || secret == 3;
  snprintf(l->text, sizeof l->text, "##vso[task.setvariable variable=%s;isoutput=%s%s]%s", name, output,
           is_secret ? ";issecret=true" : "", value);
  l->setvariable = l->command = true;
}

/* One line of the command, of a random kind. */
static void add_line(builder *b, prop_line *l) {
  prop_rng *r = b->r;
  unsigned what = prop_below(r, 100);
  int k;
  if (what < 45) {
    add_setvariable(b, l);
  } else if (what < 55 && (k = (int)prop_below(r, PROP_MAX_SECRETS)) < b->s->nsecrets) {
    snprintf(l->text, sizeof l->text, "##vso[task.setsecret]%s", b->s->secrets[k]);
    b->registered[l->stream][k] = true;
    l->command = true;
  } else if (what < 62 && l->stream == 0 && (k = registered_secret(b, 0)) >= 0) {
    snprintf(l->text, sizeof l->text, "the secret %s, printed after it was registered", b->s->secrets[k]);
  } else if (what < 70) {
    snprintf(l->text, sizeof l->text, "##vso[made%u.up]unknown area", prop_below(r, 5));
    l->command = true;
  } else if (what < 76) {
    snprintf(l->text, sizeof l->text, "text before ##vso[task.logissue type=warning]a warning of the command");
    l->command = true;
  } else if (what < 80) {
    snprintf(l->text, sizeof l->text, "##vso[task.complete result=Succeeded;]the command's own verdict");
    l->command = l->complete = true;
  } else if (what < 84) {
    snprintf(l->text, sizeof l->text, "##vso[ no command: a space after the bracket");
  } else {
    snprintf(l->text, sizeof l->text, "plain output %u # ## ##v ##vs ##vso", prop_below(r, 100000));
  }
}

static void pick_end(prop_scenario *s, prop_rng *r) {
  unsigned end = prop_below(r, 100);
  s->end = end < 70 ? PROP_EXIT : end < 85 ? PROP_SIGNAL : PROP_GRANDCHILD;
  static const int signals[] = {9, 15, 1}; /* SIGKILL, SIGTERM, SIGHUP */
  s->exit_status = s->end == PROP_EXIT && prop_chance(r, 20) ? 1 + (int)prop_below(r, 3) : 0;
  s->signal = signals[prop_below(r, 3)];
  s->retries = prop_chance(r, 25) ? 1 + (int)prop_below(r, 2) : 0;
  s->stream_mode = prop_chance(r, 10);
  s->report = prop_chance(r, 50);
  s->summary = prop_chance(r, 50);
  if (prop_chance(r, 8)) { /* SIGINT or SIGTERM, as the agent cancels a step */
    s->stop_signal = prop_chance(r, 50) ? 2 : 15;
    s->stop_after_ms = 1 + (int)prop_below(r, 60);
  }
}

/* Now and then ImageBuilder's listing of its matrices (an expected name or
 * another, with legs named as value_of's matrices), on one stream, among
 * the lines: the expectations it adds must hold for exit 0, and replay of
 * the capture must read it as the run did.  Drawn from a generator of its
 * own, so that the rest of a seed's scenario stays what it was. */
static void add_listing(prop_scenario *s) {
  prop_rng r = {s->seed ^ 0x5EED11571ull};
  if (!prop_chance(&r, 30)) return;
  static const char cat[] = "07:41:13 info: Microsoft.DotNet.ImageBuilder.Commands.GenerateBuildMatrixCommand[0] ";
  prop_line listing[PROP_MAX_LISTING];
  int n = 0, stream = prop_chance(&r, 70) ? 0 : 1;
  snprintf(listing[n++].text, PROP_LINE, "%sGENERATING BUILD MATRIX", cat);
  int matrices = 1 + (int)prop_below(&r, 2);
  for (int m = 0; m < matrices && n < PROP_MAX_LISTING; m++) {
    if (prop_chance(&r, 80)) snprintf(listing[n++].text, PROP_LINE, "%s  %s:", cat, s->expect[prop_below(&r, (unsigned)s->nexpect)]);
    else snprintf(listing[n++].text, PROP_LINE, "%s  other%u:", cat, prop_below(&r, 3));
    for (int legs = 1 + (int)prop_below(&r, 2); legs > 0 && n < PROP_MAX_LISTING; legs--)
      snprintf(listing[n++].text, PROP_LINE, "%s    leg%u:", cat, prop_below(&r, 9));
  }
  int at = (int)prop_below(&r, (unsigned)s->nlines + 1);
  memmove(&s->lines[at + n], &s->lines[at], (size_t)(s->nlines - at) * sizeof *s->lines);
  for (int i = 0; i < n; i++) {
    prop_line *l = &s->lines[at + i];
    memset(l, 0, sizeof *l);
    memcpy(l->text, listing[i].text, PROP_LINE);
    l->stream = stream;
    l->term = "\n";
  }
  s->nlines += n;
  s->nlisting = n;
}

void prop_make(prop_scenario *s, uint64_t seed) {
  memset(s, 0, sizeof *s);
  s->seed = seed;
  prop_rng r = {seed};
  builder b = {.s = s, .r = &r};
  s->nexpect = 1 + (int)prop_below(&r, PROP_MAX_EXPECT);
  for (int i = 0; i < s->nexpect; i++) snprintf(s->expect[i], sizeof s->expect[i], "var%d", i);
  s->nsecrets = (int)prop_below(&r, PROP_MAX_SECRETS + 1);
  for (int i = 0; i < s->nsecrets; i++) { /* random enough never to be anything else */
    for (int c = 0; c < PROP_SECRET_LEN; c++) s->secrets[i][c] = "QXZJKVWq0123456789"[prop_below(&r, 18)];
    s->secrets[i][0] = 'S';
  }
  s->bom = prop_chance(&r, 4);
  s->nlines = 2 + (int)prop_below(&r, PROP_MAX_EVENTS - 2);
  for (int i = 0; i < s->nlines; i++) {
    prop_line *l = &s->lines[i];
    l->stream = prop_chance(&r, 70) ? 0 : 1;
    l->term = terms[prop_chance(&r, 80) ? 0 : 1 + prop_below(&r, 2)];
    add_line(&b, l);
  }
  add_listing(s);
  pick_end(s, &r);
  s->has_tail = s->end == PROP_GRANDCHILD || prop_chance(&r, 30);
  if (s->has_tail) {
    s->tail.stream = prop_chance(&r, 70) ? 0 : 1;
    s->tail.term = "";
    add_setvariable(&b, &s->tail);
  }
}
