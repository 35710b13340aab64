/*
 * hierarchy_int.h - internals of hierarchy.c that the tests reach: the
 * switch between the fast request path and the general one.  Callers
 * above hierarchy/ use hierarchy.h.
 */
#ifndef MW_HIERARCHY_INT_H
#define MW_HIERARCHY_INT_H

#include "hierarchy/hierarchy.h"

#include <stdbool.h>

/*
 * on: use the fast request path when the hierarchy allows it (every
 * level set-associative, none inclusive or exclusive; the default that
 * mw_hier_create sets); off: always the general path.  Both give the
 * same results: the tests run each differential case on both.
 */
void mw_hier_set_fast_path(struct mw_hier *h, bool on);

#endif
