/* SPDX-License-Identifier: MIT */
/* Compiler attributes, in one place. */
#ifndef VSO_COMPILER_H
#define VSO_COMPILER_H

/* A printf-like function, its format checked by the compiler.  With
 * mingw-w64, "printf" means msvcrt's dialect (no %zu); vsorelay builds
 * there with __USE_MINGW_ANSI_STDIO, whose printf family is C99's. */
#if defined(__MINGW32__)
#define VSO_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__)
#define VSO_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VSO_PRINTF(fmt, args)
#endif

#endif
