/*
 * alloc.h - all library allocation goes through these, so tests can make
 * the n-th allocation fail and check that every error path cleans up.
 */
#ifndef MW_ALLOC_H
#define MW_ALLOC_H

#include <stddef.h>

/* Returns owned memory (free with mw_free) or NULL. */
void *mw_malloc(size_t size);
/* Zeroed array of n elements; NULL on failure or if n * size overflows. */
void *mw_calloc(size_t n, size_t size);
/* Resizes p (owned) to n * size bytes; NULL (p untouched) on failure. */
void *mw_reallocarray(void *p, size_t n, size_t size);
/* Returns an owned copy of s (free with mw_free) or NULL. */
char *mw_strdup(const char *s);
/* Copy of the first n bytes of s, NUL-terminated. */
char *mw_strndup(const char *s, size_t n);
/* Accepts NULL. */
void mw_free(void *p);

/*
 * Test hook: the next n allocations in this thread succeed, the ones after
 * fail.  n < 0 turns failure injection off (the default).
 */
void mw_alloc_fail_after(long n);

#endif
