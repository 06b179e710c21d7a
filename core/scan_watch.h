/* SPDX-License-Identifier: MIT */
/* The scanner's watched lines (scan.h, vso_scanner_watch): the part of the
 * scanner that looks for an observer's texts and gathers the lines that hold
 * one, shared by scan.c and scan_watch.c only. */
#ifndef VSO_SCAN_WATCH_H
#define VSO_SCAN_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "scan.h"

/* 1 + which watched text starts at q (with avail bytes there), or 0. */
size_t vso_scan_watch_at(const vso_scanner *s, const char *q, size_t avail);
/* Where a watched text first starts in p[0..n), or n; *which says which. */
size_t vso_scan_find_watch(const vso_scanner *s, const char *p, size_t n, size_t *which);
/* Adds bytes of a watched line that spans chunks, up to VSO_SCAN_WATCH_MAX. */
void vso_scan_watch_add(vso_scanner *s, const char *p, size_t n);
/* The watched line ends with p[0..n): it goes to the sink. */
void vso_scan_end_watch(vso_scanner *s, const char *p, size_t n, bool command_after);
/* Remembers the end of p[0..n) that may begin a watched text. */
void vso_scan_set_watch_tail(vso_scanner *s, const char *p, size_t n);
/* Whether p[0..n), the next chunk, goes on with the remembered end: 1 a
 * watched line has begun, 2 still undecided, 0 not. */
int vso_scan_resolve_watch_tail(vso_scanner *s, const char *p, size_t n);

#endif
