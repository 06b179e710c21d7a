/* SPDX-License-Identifier: MIT */
/* Reading a JSON input file (ImageBuilder's manifest.json; its image-info
 * next) as ImageBuilder's Newtonsoft reads it, with every failure one line
 * that names the file and the JSON path of the problem:
 *
 *   manifest.json: $.repos[0].images[3].platforms[1].os: expected "linux" or "windows"
 *
 * A reader keeps the path of the node being read; each step into a member
 * or an element extends it, and vso_json_path_truncate goes back.  Members
 * are matched as Newtonsoft matches them: case-insensitively, the last one
 * wins.  cJSON 1.7.15 is used as it must be: the text is parsed with a NUL
 * inside the length given (require_null_terminated), errors come from
 * return_parse_end (cJSON_GetErrorPtr is a global), and a raw NUL byte is
 * refused before cJSON sees it (it would stop there and call the rest
 * valid). */
#ifndef VSO_JSON_H
#define VSO_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct vso_json_reader {
  /* public */
  const char *file;  /* borrowed: the file being read, named in messages */
  vso_buf *err;      /* borrowed: the one-line failure is appended here */
  /* read-only */
  bool failed;       /* a failure was said: later ones are not */
  /* private */
  vso_buf path_;     /* the JSON path of the node being read */
} vso_json_reader;

typedef enum { VSO_JSON_OPTIONAL, VSO_JSON_REQUIRED } vso_json_presence;

/* Reads the file at r->file (at most max bytes; a larger one is "larger
 * than <max_text>", e.g. "64 MiB, the limit for a manifest")
 * and parses it; the path starts again at "$".  With missing non-NULL, a
 * file that does not exist sets *missing and is no failure (*root NULL). */
bool vso_json_load(vso_json_reader *r, size_t max, const char *max_text, bool *missing, cJSON **root);
void vso_json_reader_free(vso_json_reader *r);

/* Newtonsoft's view of obj.name: case-insensitive, the last one wins. */
const cJSON *vso_json_member(const cJSON *obj, const char *name);
/* *out = the member's string, or NULL when it is absent or null and
 * optional.  False, said, when it is missing or not a string. */
bool vso_json_get_string(vso_json_reader *r, const cJSON *obj, const char *name, vso_json_presence need,
                         const char **out);
/* *out = the member when it is of the wanted type (cJSON_Array or
 * cJSON_Object), or NULL when it is absent or null and optional. */
bool vso_json_get_container(vso_json_reader *r, const cJSON *obj, const char *name, vso_json_presence need,
                            int type, const cJSON **out);
/* Calls read_one(r, element, ctx) for each element of array (the member
 * key), the path extended by .key[i]; stops at the first false. */
bool vso_json_each(vso_json_reader *r, const cJSON *array, const char *key,
                   bool (*read_one)(vso_json_reader *, const cJSON *, void *), void *ctx);

/* The path: ".key", "[i]", "['data key']"; each says out of memory itself. */
bool vso_json_path_key(vso_json_reader *r, const char *key);
bool vso_json_path_index(vso_json_reader *r, size_t i);
bool vso_json_path_quoted_key(vso_json_reader *r, const char *key);
size_t vso_json_path_mark(const vso_json_reader *r);
void vso_json_path_truncate(vso_json_reader *r, size_t mark);

/* "<file>: <json path>: <what>"; returns false, for `return fail(...)`. */
bool vso_json_fail_at(vso_json_reader *r, const char *what);
/* The same for the member name of the node being read. */
bool vso_json_fail_member(vso_json_reader *r, const char *name, const char *what);
/* "<file>: out of memory". */
bool vso_json_fail_oom(vso_json_reader *r);

/* Appends s cut to max bytes, control and non-ASCII bytes as \xNN, so that
 * a message stays one printable line whatever the file holds. */
bool vso_json_append_printable(vso_buf *b, const char *s, size_t max);

#endif
