/*
 * regions.h - tagging foreign traces with tensors by address range.
 *
 * A regions file is CSV with a header naming the columns name, base and
 * size (in any order; base hex with 0x or decimal, size with units such
 * as 64MiB).  Each access is tagged with the region holding its first
 * byte; the regions become the stream's tensor table, in file order.
 */
#ifndef MW_REGIONS_H
#define MW_REGIONS_H

#include "traces/stream.h"

struct mw_regions;

/* Loads and checks a regions file; owned result, or NULL with d filled. */
struct mw_regions *mw_regions_load(const char *path, struct mw_diag *d);
void mw_regions_destroy(struct mw_regions *r);
/* Number of regions. */
unsigned mw_regions_count(const struct mw_regions *r);
/* Tensor index (1-based, file order) of the region holding addr, or 0. */
unsigned mw_regions_lookup(struct mw_regions *r, mw_addr addr);

/*
 * A stream that tags inner's records with regions (inner's own tags are
 * replaced).  Takes ownership of inner and regions, also on failure.
 * Returns an owned stream or NULL with d filled.
 */
struct mw_stream *mw_stream_tag_regions(struct mw_stream *inner,
					struct mw_regions *regions,
					struct mw_diag *d);

#endif
