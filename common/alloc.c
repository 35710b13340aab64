/*
 * alloc.c - allocation wrappers with failure injection for tests.
 *
 * Notes:
 *  - The injection counter is thread-local so parallel sweeps and forked
 *    Criterion tests never see each other's setting.
 */
#include "common/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local long fail_after = -1;

void mw_alloc_fail_after(long n)
{
	fail_after = n;
}

static int should_fail(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void *mw_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *mw_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *mw_reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (size && n > SIZE_MAX / size)
		return NULL;
	if (should_fail())
		return NULL;
	bytes = n * size;
	return realloc(p, bytes ? bytes : 1);
}

char *mw_strndup(const char *s, size_t n)
{
	char *d = mw_malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *mw_strdup(const char *s)
{
	return mw_strndup(s, strlen(s));
}

void mw_free(void *p)
{
	free(p);
}
