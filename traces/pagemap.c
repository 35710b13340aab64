/*
 * pagemap.c - the page-mapping stream filter.
 *
 * Notes:
 *  - Models an OS that backs each virtual page with an unrelated physical
 *    frame: the frame is a seeded pseudo-random bijection of the page
 *    number, so no two pages share a frame.  A real OS's frame allocation
 *    (free lists, huge pages, colouring) is not known; this is the
 *    uniformly random case.
 *  - The bijection is a 4-round Feistel network over the page-number bits
 *    (64 - log2(page) bits, split into two halves that may differ by one
 *    bit), with mw_mix64 of the half xored with a round key as the round
 *    function; each round xors one half with a function of the other, so
 *    it is invertible whatever the function, and needs no table.
 *  - Page numbers stay within their bit width, so mapped addresses never
 *    overflow.  The offset within the page is kept.
 *  - An access crossing a page boundary is split into one record per page
 *    touched (same unit, op, tensor), since its pages may map to
 *    non-adjacent frames.  Bytes are conserved.
 */
#include "traces/pagemap.h"

#include "common/alloc.h"
#include "common/hash.h"
#include "traces/stream_impl.h"

#include <stdio.h>
#include <string.h>

#define PM_BATCH 1024

static uint64_t low_mask(unsigned bits)
{
	return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
}

int mw_page_perm_init(struct mw_page_perm *p, uint64_t page_bytes,
		      uint64_t seed, struct mw_diag *d)
{
	unsigned w, i;

	if (page_bytes < MW_PAGE_MAP_MIN || (page_bytes & (page_bytes - 1)))
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "page size %llu is not a power of two of at "
				   "least %d bytes",
				   (unsigned long long)page_bytes,
				   MW_PAGE_MAP_MIN);
	memset(p, 0, sizeof(*p));
	while ((1ULL << p->shift) < page_bytes)
		p->shift++;
	w = 64 - p->shift;
	p->lbits = w / 2;
	p->rbits = w - p->lbits;
	for (i = 0; i < 4; i++)
		p->keys[i] = mw_mix64(
			seed ^ mw_mix64(0x9e3779b97f4a7c15ULL * (i + 1)));
	return 0;
}

static uint64_t round_fn(uint64_t half, uint64_t key)
{
	return mw_mix64(half ^ key);
}

static uint64_t permute(const struct mw_page_perm *p, uint64_t pn, int inv)
{
	uint64_t lm = low_mask(p->lbits), rm = low_mask(p->rbits);
	uint64_t l = pn >> p->rbits & lm, r = pn & rm;
	int k;

	for (k = 0; k < 4; k++) {
		int i = inv ? 3 - k : k;

		/* Even rounds change the left half, odd ones the right. */
		if (i % 2 == 0)
			l ^= round_fn(r, p->keys[i]) & lm;
		else
			r ^= round_fn(l, p->keys[i]) & rm;
	}
	return l << p->rbits | r;
}

mw_addr mw_page_perm_map(const struct mw_page_perm *p, mw_addr addr)
{
	uint64_t off = addr & low_mask(p->shift);

	return permute(p, addr >> p->shift, 0) << p->shift | off;
}

mw_addr mw_page_perm_unmap(const struct mw_page_perm *p, mw_addr addr)
{
	uint64_t off = addr & low_mask(p->shift);

	return permute(p, addr >> p->shift, 1) << p->shift | off;
}

struct page_mapper {
	struct mw_stream base;
	struct mw_stream *inner; /* owned */
	struct mw_page_perm perm;
	struct mw_access in[PM_BATCH];
	long n, pos;	      /* in[pos..n) not yet started */
	struct mw_access cur; /* the rest of a record being split */
	int have_cur;
};

static long pm_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	struct page_mapper *m = (struct page_mapper *)s;
	uint64_t page = 1ULL << m->perm.shift;
	size_t out = 0;

	while (out < cap) {
		struct mw_access *c = &m->cur;
		uint64_t room;
		uint32_t piece;

		if (!m->have_cur) {
			if (m->pos == m->n) {
				if (out)
					break;
				m->n = mw_stream_read(m->inner, m->in,
						      PM_BATCH);
				m->pos = 0;
				s->stats = *mw_stream_stats(m->inner);
				if (m->n < 0) {
					s->diag = *mw_stream_diag(m->inner);
					return m->n;
				}
				if (m->n == 0)
					return 0;
			}
			*c = m->in[m->pos++];
			m->have_cur = 1;
		}
		room = page - (c->addr & (page - 1));
		piece = c->size <= room ? c->size : (uint32_t)room;
		buf[out] = *c;
		buf[out].addr = mw_page_perm_map(&m->perm, c->addr);
		buf[out].size = piece;
		out++;
		if (piece == c->size) {
			m->have_cur = 0;
		} else {
			c->addr += piece;
			c->size -= piece;
		}
	}
	return (long)out;
}

static void pm_destroy(struct mw_stream *s)
{
	struct page_mapper *m = (struct page_mapper *)s;

	mw_stream_destroy(m->inner);
	mw_free(m);
}

static const struct mw_stream_ops pm_ops = {
	.name = "page-map",
	.read = pm_read,
	.destroy = pm_destroy,
};

struct mw_stream *mw_stream_page_map(struct mw_stream *inner,
				     uint64_t page_bytes, uint64_t seed,
				     struct mw_diag *d)
{
	const struct mw_trace_header *ih = mw_stream_header(inner);
	struct page_mapper *m;
	char note[96];
	char *prov;
	size_t len;

	m = mw_calloc(1, sizeof(*m));
	if (!m) {
		mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		mw_stream_destroy(inner);
		return NULL;
	}
	mw_stream_init(&m->base, &pm_ops);
	m->inner = inner;
	if (mw_page_perm_init(&m->perm, page_bytes, seed, d)) {
		mw_stream_destroy(&m->base);
		return NULL;
	}
	m->base.file_bytes = mw_stream_file_size(inner);
	if (mw_header_copy(&m->base.hdr, ih))
		goto out_nomem;
	snprintf(note, sizeof(note), "page-map %llu:%llu",
		 (unsigned long long)page_bytes, (unsigned long long)seed);
	len = (ih->provenance ? strlen(ih->provenance) + 2 : 0) + strlen(note) +
	      1;
	prov = mw_malloc(len);
	if (!prov)
		goto out_nomem;
	if (ih->provenance && *ih->provenance)
		snprintf(prov, len, "%s; %s", ih->provenance, note);
	else
		snprintf(prov, len, "%s", note);
	if (mw_header_set_provenance(&m->base.hdr, prov)) {
		mw_free(prov);
		goto out_nomem;
	}
	mw_free(prov);
	return &m->base;

out_nomem:
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	mw_stream_destroy(&m->base);
	return NULL;
}
