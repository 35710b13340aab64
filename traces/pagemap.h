/*
 * pagemap.h - a stream filter that maps virtual pages to pseudo-random
 * physical frames, as an OS does, so that physically indexed caches see
 * page colours collide.
 */
#ifndef MW_PAGEMAP_H
#define MW_PAGEMAP_H

#include "common/err.h"
#include "traces/stream.h"

#include <stdint.h>

/* Smallest page the filter accepts (one cache line). */
#define MW_PAGE_MAP_MIN 64

/*
 * A seeded bijection of the page numbers of page_bytes pages (a 4-round
 * Feistel network over the page-number bits); page_bytes a power of two
 * >= MW_PAGE_MAP_MIN.  Maps a whole byte address, keeping the offset.
 */
struct mw_page_perm {
	unsigned shift;	  /* log2(page_bytes) */
	unsigned lbits;	  /* bits of the left half of the page number */
	unsigned rbits;	  /* bits of the right half */
	uint64_t keys[4]; /* round keys from the seed */
};

/* 0, or MW_EINVAL with d filled when page_bytes is not allowed. */
int mw_page_perm_init(struct mw_page_perm *p, uint64_t page_bytes,
		      uint64_t seed, struct mw_diag *d);
mw_addr mw_page_perm_map(const struct mw_page_perm *p, mw_addr addr);
/* The inverse of mw_page_perm_map. */
mw_addr mw_page_perm_unmap(const struct mw_page_perm *p, mw_addr addr);

/*
 * A stream whose records are inner's with every address mapped through
 * the seeded page bijection; an access that crosses a page boundary
 * becomes one record per page touched.  The header (tensor bases
 * included) is inner's; the provenance notes the mapping.  Takes
 * ownership of inner, also on failure.  Returns an owned stream or NULL
 * with d filled (MW_EINVAL: page_bytes not a power of two >= 64).
 */
struct mw_stream *mw_stream_page_map(struct mw_stream *inner,
				     uint64_t page_bytes, uint64_t seed,
				     struct mw_diag *d);

#endif
