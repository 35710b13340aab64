/*
 * regions.c - address regions as tensors, and the tagging filter.
 *
 * Notes:
 *  - Regions must not overlap: an address belongs to at most one tensor,
 *    so per-tensor statistics add up to the total.
 *  - An access is tagged by its first byte; one straddling two regions
 *    counts for the first (the simulator still touches every line).
 *  - Lookup is a binary search over regions sorted by base, with the last
 *    hit tried first since streams stay within a tensor for long runs.
 */
#include "traces/regions.h"

#include "common/alloc.h"
#include "common/units.h"
#include "traces/csvsplit.h"
#include "traces/input.h"
#include "traces/stream_impl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct region {
	mw_addr base;
	mw_addr end; /* one past the last byte */
	unsigned tensor;
};

struct mw_regions {
	struct region v[MW_TENSOR_MAX]; /* sorted by base */
	unsigned n;
	char *names[MW_TENSOR_MAX + 1]; /* owned, by tensor index */
	uint64_t sizes[MW_TENSOR_MAX + 1];
	mw_addr bases[MW_TENSOR_MAX + 1];
	unsigned last; /* index into v of the last hit */
};

void mw_regions_destroy(struct mw_regions *r)
{
	unsigned i;

	if (!r)
		return;
	for (i = 0; i <= MW_TENSOR_MAX; i++)
		mw_free(r->names[i]);
	mw_free(r);
}

unsigned mw_regions_count(const struct mw_regions *r)
{
	return r->n;
}

static int by_base(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Finds the columns of the header row; 0 or an error in d. */
static int header_columns(char **f, int nf, int col[3], const char *file,
			  uint64_t line, struct mw_diag *d)
{
	static const char *const want[3] = {"name", "base", "size"};
	int i, k;

	for (k = 0; k < 3; k++) {
		col[k] = -1;
		for (i = 0; i < nf; i++)
			if (!strcasecmp(f[i], want[k]))
				col[k] = i;
		if (col[k] < 0)
			return mw_diag_set(d, MW_EPARSE, file, line,
					   "regions header lacks a '%s' column "
					   "(want name,base,size)",
					   want[k]);
	}
	return 0;
}

static int add_region(struct mw_regions *r, char **f, int nf, const int col[3],
		      const char *file, uint64_t line, struct mw_diag *d)
{
	uint64_t base, size;
	unsigned i, t;

	if (nf <= col[0] || nf <= col[1] || nf <= col[2])
		return mw_diag_set(d, MW_EPARSE, file, line,
				   "expected name, base and size fields");
	if (!*f[col[0]])
		return mw_diag_set(d, MW_EPARSE, file, line,
				   "empty region name");
	if (mw_parse_u64(f[col[1]], &base))
		return mw_diag_set(d, MW_EPARSE, file, line,
				   "bad base address '%s' (want 0x... hex or "
				   "decimal)",
				   f[col[1]]);
	if (mw_parse_size(f[col[2]], &size) || size == 0)
		return mw_diag_set(d, MW_EPARSE, file, line,
				   "bad size '%s' (want a positive byte count, "
				   "e.g. 4096 or 64MiB)",
				   f[col[2]]);
	if (base + size < base)
		return mw_diag_set(d, MW_ERANGE, file, line,
				   "region '%s' runs past the end of the "
				   "64-bit address space",
				   f[col[0]]);
	if (r->n == MW_TENSOR_MAX)
		return mw_diag_set(d, MW_ERANGE, file, line,
				   "more than %d regions", MW_TENSOR_MAX);
	for (i = 1; i <= r->n; i++)
		if (!strcmp(r->names[i], f[col[0]]))
			return mw_diag_set(d, MW_EPARSE, file, line,
					   "region '%s' named twice",
					   f[col[0]]);
	t = ++r->n;
	r->names[t] = mw_strdup(f[col[0]]);
	if (!r->names[t])
		return mw_diag_set(d, MW_ENOMEM, file, line, "out of memory");
	r->bases[t] = base;
	r->sizes[t] = size;
	r->v[t - 1].base = base;
	r->v[t - 1].end = base + size;
	r->v[t - 1].tensor = t;
	return 0;
}

struct mw_regions *mw_regions_load(const char *path, struct mw_diag *d)
{
	struct mw_regions *r = mw_calloc(1, sizeof(*r));
	struct mw_csv_splitter *sp = mw_csv_splitter_create();
	struct mw_input *in = NULL;
	int col[3], have_header = 0, got;
	char *line, **f;
	size_t len;
	unsigned i;

	if (!r || !sp) {
		mw_diag_set(d, MW_ENOMEM, path, 0, "out of memory");
		goto out_fail;
	}
	in = mw_input_open(path, d);
	if (!in)
		goto out_fail;
	while ((got = mw_input_getline(in, &line, &len, d)) > 0) {
		uint64_t ln = mw_input_lineno(in);
		const char *why = NULL;
		int nf;

		if (len == 0 || line[0] == '#')
			continue;
		nf = mw_csv_split(sp, line, len, &f, &why);
		if (nf < 0) {
			mw_diag_set(d, nf, mw_input_name(in), ln, "%s",
				    why ? why : mw_strerror(nf));
			goto out_fail;
		}
		if (!have_header) {
			if (header_columns(f, nf, col, mw_input_name(in), ln,
					   d))
				goto out_fail;
			have_header = 1;
			continue;
		}
		if (add_region(r, f, nf, col, mw_input_name(in), ln, d))
			goto out_fail;
	}
	if (got < 0)
		goto out_fail;
	if (!r->n) {
		mw_diag_set(d, MW_EPARSE, path, 0,
			    "no regions (want a header name,base,size and "
			    "one row per region)");
		goto out_fail;
	}
	qsort(r->v, r->n, sizeof(r->v[0]), by_base);
	for (i = 1; i < r->n; i++) {
		if (r->v[i].base < r->v[i - 1].end) {
			mw_diag_set(d, MW_ECONFIG, path, 0,
				    "regions '%s' and '%s' overlap",
				    r->names[r->v[i - 1].tensor],
				    r->names[r->v[i].tensor]);
			goto out_fail;
		}
	}
	mw_input_close(in);
	mw_csv_splitter_destroy(sp);
	return r;

out_fail:
	mw_input_close(in);
	mw_csv_splitter_destroy(sp);
	mw_regions_destroy(r);
	return NULL;
}

unsigned mw_regions_lookup(struct mw_regions *r, mw_addr addr)
{
	const struct region *v = r->v;
	unsigned lo = 0, hi = r->n;

	if (addr >= v[r->last].base && addr < v[r->last].end)
		return v[r->last].tensor;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (addr < v[mid].base)
			hi = mid;
		else if (addr >= v[mid].end)
			lo = mid + 1;
		else {
			r->last = mid;
			return v[mid].tensor;
		}
	}
	return 0;
}

struct tagger {
	struct mw_stream base;
	struct mw_stream *inner;    /* owned */
	struct mw_regions *regions; /* owned */
};

static long tag_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	struct tagger *t = (struct tagger *)s;
	long n = mw_stream_read(t->inner, buf, cap), i;

	if (n < 0) {
		s->diag = *mw_stream_diag(t->inner);
		return n;
	}
	for (i = 0; i < n; i++)
		buf[i].tensor =
			(uint8_t)mw_regions_lookup(t->regions, buf[i].addr);
	s->stats = *mw_stream_stats(t->inner);
	return n;
}

static void tag_destroy(struct mw_stream *s)
{
	struct tagger *t = (struct tagger *)s;

	mw_stream_destroy(t->inner);
	mw_regions_destroy(t->regions);
	mw_free(t);
}

static const struct mw_stream_ops tag_ops = {
	.name = "regions",
	.read = tag_read,
	.destroy = tag_destroy,
};

struct mw_stream *mw_stream_tag_regions(struct mw_stream *inner,
					struct mw_regions *regions,
					struct mw_diag *d)
{
	struct tagger *t = mw_calloc(1, sizeof(*t));
	const struct mw_trace_header *ih = mw_stream_header(inner);
	unsigned i;

	if (!t)
		goto out_nomem;
	mw_stream_init(&t->base, &tag_ops);
	t->inner = inner;
	t->regions = regions;
	t->base.hdr.units = ih->units;
	t->base.file_bytes = mw_stream_file_size(inner);
	memcpy(t->base.hdr.format, ih->format, sizeof(ih->format));
	if (mw_header_set_provenance(&t->base.hdr, ih->provenance))
		goto out_nomem_destroy;
	for (i = 1; i <= regions->n; i++)
		if (mw_header_add_tensor(&t->base.hdr, regions->names[i],
					 regions->bases[i],
					 regions->sizes[i]) < 0)
			goto out_nomem_destroy;
	return &t->base;

out_nomem_destroy:
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	mw_stream_destroy(&t->base);
	return NULL;
out_nomem:
	mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	mw_stream_destroy(inner);
	mw_regions_destroy(regions);
	return NULL;
}
