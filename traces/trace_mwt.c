/*
 * trace_mwt.c - memwall's native trace format, ".mwt".
 *
 * Layout (all integers little-endian):
 *
 *   header   8  magic "\x89MWT\r\n\x1a\n"
 *            4  version (1)
 *            4  length L of the rest of the header, CRC included
 *            L  u32 units, u32 block_records, u32 ntensors,
 *               per tensor: u16 name length, name, u64 base, u64 bytes,
 *               u32 provenance length, provenance,
 *               u32 CRC-32 of everything before it
 *   blocks   16 u32 "MWBK", u32 records, u32 payload length P, u32 CRC-32
 *               of the first 12 header bytes and the payload
 *            P  6 x (u8 method, u32 raw length, u32 stored length), then
 *               the six columns of mwt_codec.h, each stored (method 0) or
 *               raw-deflated (method 1)
 *   footer      u32 "MWFT", u64 blocks, u64 records, per block u64 offset
 *               and u32 records, u32 CRC-32 of the footer so far
 *   trailer  16 u64 footer offset, "MWTEND\0\0"
 *
 * Notes:
 *  - Blocks are independent (the codec resets per block), so the footer
 *    index allows seeking and parallel decoding; sequential readers (pipes,
 *    gzip-wrapped files) never need it, but check it against what they saw.
 *  - Columns are raw DEFLATE (RFC 1951), the data zlib's deflate writes
 *    and inflate reads; memwall codes them with libdeflate, which handles
 *    whole buffers about twice as fast as zlib's streaming inflate on
 *    token columns.  CRCs are the CRC-32 of zlib and gzip.
 *  - A column is deflated only when that at least halves it, else it is
 *    stored and decoded in place.  Traces are written once and read many
 *    times (every sweep point reads them again), and inflating
 *    near-random data (scattered addresses' deltas, the slot choices of
 *    randomly interleaved streams) costs about 2 ns per byte while saving
 *    a quarter of it at best; regular columns shrink by orders of
 *    magnitude and are deflated.
 *  - Every size read from the file is bounded before anything is
 *    allocated, so a corrupt or hostile file costs at most one block's
 *    worth of memory (MWT_MAX_BLOCK_RECORDS records).
 *  - The writer validates records against the header (unit and tensor
 *    indices, size >= 1, known op) so that every file it writes is one the
 *    reader accepts.
 */
#include "traces/format_impl.h"
#include "traces/mwt_codec.h"
#include "traces/stream_impl.h"

#include "common/alloc.h"

#include <libdeflate.h>
#include <stdio.h>
#include <string.h>

#define MWT_MAGIC	      "\x89MWT\r\n\x1a\n"
#define MWT_VERSION	      1u
#define MWT_BLOCK_MAGIC	      0x4b42574du /* "MWBK" */
#define MWT_FOOTER_MAGIC      0x5446574du /* "MWFT" */
#define MWT_END_MAGIC	      "MWTEND\0\0"
#define MWT_DEFAULT_BLOCK     (1u << 16)
#define MWT_MAX_BLOCK_RECORDS (1u << 20)
#define MWT_MAX_HEADER	      (1u << 24)
#define MWT_COLDIR	      (MWT_COLUMNS * 9)
#define METHOD_STORED	      0
#define METHOD_DEFLATE	      1

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t crc(uint32_t c, const uint8_t *p, size_t n)
{
	return libdeflate_crc32(c, p, n);
}

/*
 * Compares a stored checksum with the computed one.  Fuzzing builds
 * accept any, so that mutated inputs reach the structure checks and the
 * decoder behind them.
 */
static bool crc_ok(uint32_t stored, uint32_t computed)
{
#ifdef MW_FUZZING
	(void)stored;
	(void)computed;
	return true;
#else
	return stored == computed;
#endif
}

/* Worst-case payload bytes of a block of n records. */
static size_t payload_max(size_t n)
{
	size_t total = MWT_COLDIR;
	int c;

	for (c = 0; c < MWT_COLUMNS; c++)
		total += mwt_column_max((enum mwt_column)c, n);
	return total;
}

static int detect(const char *head, size_t n)
{
	return n >= 8 && !memcmp(head, MWT_MAGIC, 8) ? 100 : 0;
}

/* ---- writer ------------------------------------------------------------- */

struct block_ref {
	uint64_t offset;  /* file offset of the block header */
	uint32_t records; /* records in the block */
};

struct mwt_writer {
	struct mw_writer base;
	uint32_t units, ntensors, block_records;
	struct mwt_encoder enc;
	struct mw_access *buf; /* owned, block_records */
	size_t nbuf;
	uint8_t *payload; /* owned, payload_max(block_records) */
	struct libdeflate_compressor *zc; /* owned */
	struct block_ref *index;	  /* owned */
	size_t nindex, index_cap;
	uint64_t total;
};

static int index_push(struct block_ref **index, size_t *n, size_t *cap,
		      uint64_t offset, uint32_t records)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct block_ref *ni =
			mw_reallocarray(*index, ncap, sizeof(*ni));
		if (!ni)
			return MW_ENOMEM;
		*index = ni;
		*cap = ncap;
	}
	(*index)[*n].offset = offset;
	(*index)[*n].records = records;
	(*n)++;
	return 0;
}

/*
 * Deflates src into dst (room for n bytes); returns the deflated size, or
 * 0 when the column is better stored (deflate does not halve it).
 */
static size_t deflate_column(struct libdeflate_compressor *zc,
			     const uint8_t *src, size_t n, uint8_t *dst)
{
	if (n < 64 || n > UINT32_MAX)
		return 0;
	/* 0 when it does not fit in the limit: store instead */
	return libdeflate_deflate_compress(zc, src, n, dst, n / 2);
}

static int flush_block(struct mwt_writer *w, struct mw_diag *d)
{
	struct mwt_encoder *e = &w->enc;
	uint8_t head[16], *dir = w->payload, *p = w->payload + MWT_COLDIR;
	uint64_t offset = mw_output_offset(w->base.out);
	size_t plen;
	uint32_t c32;
	int c, err;

	if (!w->nbuf)
		return 0;
	mwt_encode(e, w->buf, w->nbuf);
	for (c = 0; c < MWT_COLUMNS; c++) {
		size_t z = deflate_column(w->zc, e->col[c], e->len[c], p);

		dir[0] = z ? METHOD_DEFLATE : METHOD_STORED;
		put32(dir + 1, (uint32_t)e->len[c]);
		put32(dir + 5, (uint32_t)(z ? z : e->len[c]));
		if (!z)
			memcpy(p, e->col[c], e->len[c]);
		p += z ? z : e->len[c];
		dir += 9;
	}
	plen = (size_t)(p - w->payload);
	put32(head, MWT_BLOCK_MAGIC);
	put32(head + 4, (uint32_t)w->nbuf);
	put32(head + 8, (uint32_t)plen);
	c32 = crc(crc(0, head, 12), w->payload, plen);
	put32(head + 12, c32);
	err = index_push(&w->index, &w->nindex, &w->index_cap, offset,
			 (uint32_t)w->nbuf);
	if (err)
		return mw_diag_set(d, err, mw_output_name(w->base.out), 0,
				   "out of memory");
	err = mw_output_write(w->base.out, head, sizeof(head), d);
	if (!err)
		err = mw_output_write(w->base.out, w->payload, plen, d);
	w->total += w->nbuf;
	w->nbuf = 0;
	return err;
}

static int check_record(const struct mwt_writer *w, const struct mw_access *r,
			uint64_t recno, struct mw_diag *d)
{
	const char *why = NULL;

	if (r->size == 0)
		why = "size 0";
	else if (r->op >= MW_OP_COUNT)
		why = "unknown op";
	else if (r->unit >= w->units)
		why = "unit beyond the header's unit count";
	else if (r->tensor > w->ntensors)
		why = "tensor beyond the header's tensor table";
	if (!why)
		return 0;
	return mw_diag_set(d, MW_EINVAL, mw_output_name(w->base.out), 0,
			   "record %llu cannot be written: %s",
			   (unsigned long long)recno, why);
}

static int mwt_write(struct mw_writer *base, const struct mw_access *recs,
		     size_t n, struct mw_diag *d)
{
	struct mwt_writer *w = (struct mwt_writer *)base;
	size_t i;

	for (i = 0; i < n; i++) {
		int err = check_record(w, &recs[i], w->total + w->nbuf, d);

		if (err)
			return err;
		w->buf[w->nbuf++] = recs[i];
		if (w->nbuf == w->block_records) {
			err = flush_block(w, d);
			if (err)
				return err;
		}
	}
	return 0;
}

static int mwt_finish(struct mw_writer *base, struct mw_diag *d)
{
	struct mwt_writer *w = (struct mwt_writer *)base;
	uint64_t footer_at;
	uint8_t head[20], entry[12], tail[4], trailer[16];
	uint32_t c32;
	size_t i;
	int err = flush_block(w, d);

	if (err)
		return err;
	footer_at = mw_output_offset(base->out);
	put32(head, MWT_FOOTER_MAGIC);
	put64(head + 4, w->nindex);
	put64(head + 12, w->total);
	c32 = crc(0, head, sizeof(head));
	err = mw_output_write(base->out, head, sizeof(head), d);
	for (i = 0; !err && i < w->nindex; i++) {
		put64(entry, w->index[i].offset);
		put32(entry + 8, w->index[i].records);
		c32 = crc(c32, entry, sizeof(entry));
		err = mw_output_write(base->out, entry, sizeof(entry), d);
	}
	if (err)
		return err;
	put32(tail, c32);
	put64(trailer, footer_at);
	memcpy(trailer + 8, MWT_END_MAGIC, 8);
	err = mw_output_write(base->out, tail, sizeof(tail), d);
	if (!err)
		err = mw_output_write(base->out, trailer, sizeof(trailer), d);
	return err;
}

static void mwt_writer_destroy(struct mw_writer *base)
{
	struct mwt_writer *w = (struct mwt_writer *)base;

	libdeflate_free_compressor(w->zc);
	mwt_encoder_fini(&w->enc);
	mw_free(w->buf);
	mw_free(w->payload);
	mw_free(w->index);
	mw_free(w);
}

static const struct mw_writer_ops mwt_writer_ops = {
	.write = mwt_write,
	.finish = mwt_finish,
	.destroy = mwt_writer_destroy,
};

/* Serializes the file header; returns its length or an error. */
static long header_bytes(const struct mw_trace_header *h, uint32_t block,
			 uint8_t **out)
{
	size_t len = 16 + 12 + 4 + 4, i;
	const char *prov = h->provenance ? h->provenance : "";
	size_t plen = strlen(prov);
	uint8_t *b, *p;

	for (i = 1; i <= h->ntensors; i++) {
		size_t nl = strlen(h->tensors[i].name);

		if (nl > UINT16_MAX)
			return MW_ERANGE;
		len += 2 + nl + 16;
	}
	len += plen;
	if (len > MWT_MAX_HEADER)
		return MW_ERANGE;
	b = mw_malloc(len);
	if (!b)
		return MW_ENOMEM;
	memcpy(b, MWT_MAGIC, 8);
	put32(b + 8, MWT_VERSION);
	put32(b + 12, (uint32_t)(len - 16));
	put32(b + 16, h->units);
	put32(b + 20, block);
	put32(b + 24, h->ntensors);
	p = b + 28;
	for (i = 1; i <= h->ntensors; i++) {
		size_t nl = strlen(h->tensors[i].name);

		p[0] = (uint8_t)nl;
		p[1] = (uint8_t)(nl >> 8);
		memcpy(p + 2, h->tensors[i].name, nl);
		p += 2 + nl;
		put64(p, h->tensors[i].base);
		put64(p + 8, h->tensors[i].bytes);
		p += 16;
	}
	put32(p, (uint32_t)plen);
	memcpy(p + 4, prov, plen);
	p += 4 + plen;
	put32(p, crc(0, b, (size_t)(p - b)));
	*out = b;
	return (long)len;
}

static struct mw_writer *mwt_create(struct mw_output *out,
				    const struct mw_trace_header *h,
				    const struct mw_write_opts *o,
				    struct mw_diag *d)
{
	struct mwt_writer *w = mw_calloc(1, sizeof(*w));
	uint32_t block = o->block_records ? o->block_records
					  : MWT_DEFAULT_BLOCK;
	int level = o->level ? o->level : 6;
	uint8_t *hb = NULL;
	long hlen;

	if (!w)
		goto out_nomem;
	w->base.ops = &mwt_writer_ops;
	w->base.out = out;
	if (block > MWT_MAX_BLOCK_RECORDS || h->units == 0 ||
	    h->units > MW_UNITS_MAX || level < 1 || level > 12) {
		mw_diag_set(d, MW_EINVAL, mw_output_name(out), 0,
			    "invalid native-format settings (block of %u "
			    "records, %u units, level %d)",
			    block, h->units, level);
		goto out_abort;
	}
	w->units = h->units;
	w->ntensors = h->ntensors;
	w->block_records = block;
	w->buf = mw_calloc(block, sizeof(*w->buf));
	w->payload = mw_malloc(payload_max(block));
	if (!w->buf || !w->payload || mwt_encoder_init(&w->enc, block))
		goto out_nomem;
	w->zc = libdeflate_alloc_compressor(level);
	if (!w->zc)
		goto out_nomem;
	hlen = header_bytes(h, block, &hb);
	if (hlen < 0) {
		mw_diag_set(d, (int)hlen, mw_output_name(out), 0,
			    "cannot write the header: %s",
			    mw_strerror((int)hlen));
		goto out_abort;
	}
	if (mw_output_write(out, hb, (size_t)hlen, d)) {
		mw_free(hb);
		goto out_abort;
	}
	mw_free(hb);
	return &w->base;

out_nomem:
	mw_diag_set(d, MW_ENOMEM, mw_output_name(out), 0, "out of memory");
out_abort:
	if (w) {
		w->base.out = NULL;
		mwt_writer_destroy(&w->base);
	}
	mw_output_abort(out);
	return NULL;
}

/* ---- reader ------------------------------------------------------------- */

struct mwt_reader {
	struct mw_stream base;
	struct mw_input *in; /* owned */
	const char *name;    /* borrowed from in */
	uint32_t block_records;
	struct libdeflate_decompressor *zd; /* owned */
	uint8_t *payload; /* owned, the current block's payload */
	size_t payload_cap;
	uint8_t *cols; /* owned, raw columns of the current block */
	size_t cols_cap;
	struct mwt_decoder dec;
	bool in_block;		/* dec holds undecoded records */
	uint64_t block_no;	/* blocks fully read so far */
	uint64_t block_offset;	/* file offset of the current block */
	struct block_ref *seen; /* owned: blocks read, for the footer check */
	size_t nseen, seen_cap;
	void (*on_damage)(void *ctx, const struct mw_diag *d);
	void *damage_ctx;
};

/*
 * Reads exactly n bytes; a short read is a truncation at offset, reported
 * with what was being read.
 */
static int read_exact(struct mwt_reader *r, void *buf, size_t n,
		      const char *what, struct mw_diag *d)
{
	uint64_t at = mw_input_offset(r->in);
	long got = mw_input_read(r->in, buf, n, d);

	if (got < 0)
		return (int)got;
	if ((size_t)got < n)
		return mw_diag_set_offset(d, MW_ETRUNC, r->name,
					  at + (uint64_t)got,
					  "truncated: the file ends inside %s",
					  what);
	return 0;
}

static int read_header(struct mwt_reader *r, struct mw_diag *d)
{
	uint8_t fixed[16], *b = NULL, *p, *end;
	uint32_t version, len, ntensors, i, plen, units;
	int err;

	err = read_exact(r, fixed, sizeof(fixed), "the header", d);
	if (err)
		return err;
	if (memcmp(fixed, MWT_MAGIC, 8))
		return mw_diag_set_offset(d, MW_EFORMAT, r->name, 0,
					  "not a memwall trace (bad magic)");
	version = get32(fixed + 8);
	len = get32(fixed + 12);
	if (version != MWT_VERSION)
		return mw_diag_set_offset(d, MW_EVERSION, r->name, 8,
					  "format version %u; this memwall "
					  "reads version %u",
					  version, MWT_VERSION);
	if (len < 20 || len > MWT_MAX_HEADER)
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name, 12,
					  "corrupt header length %u", len);
	b = mw_malloc(16 + (size_t)len);
	if (!b)
		return mw_diag_set(d, MW_ENOMEM, r->name, 0, "out of memory");
	memcpy(b, fixed, 16);
	err = read_exact(r, b + 16, len, "the header", d);
	if (err)
		goto out;
	end = b + 16 + len - 4;
	if (!crc_ok(get32(end), crc(0, b, (size_t)(end - b)))) {
		err = mw_diag_set_offset(d, MW_ECORRUPT, r->name, 0,
					 "header checksum mismatch");
		goto out;
	}
	units = get32(b + 16);
	r->block_records = get32(b + 20);
	ntensors = get32(b + 24);
	if (units == 0 || units > MW_UNITS_MAX || r->block_records == 0 ||
	    r->block_records > MWT_MAX_BLOCK_RECORDS ||
	    ntensors > MW_TENSOR_MAX) {
		err = mw_diag_set_offset(d, MW_ECORRUPT, r->name, 16,
					 "header out of range (%u units, "
					 "blocks of %u records, %u tensors)",
					 units, r->block_records, ntensors);
		goto out;
	}
	r->base.hdr.units = units;
	p = b + 28;
	for (i = 0; i < ntensors; i++) {
		size_t nl;
		char *name;
		int idx;

		if (end - p < 2)
			goto corrupt;
		nl = (size_t)(p[0] | p[1] << 8);
		if (nl == 0 || (size_t)(end - p) < 2 + nl + 16)
			goto corrupt;
		name = mw_strndup((const char *)p + 2, nl);
		if (!name)
			goto nomem;
		idx = mw_header_add_tensor(&r->base.hdr, name,
					   get64(p + 2 + nl),
					   get64(p + 10 + nl));
		mw_free(name);
		if (idx < 0)
			goto nomem;
		p += 2 + nl + 16;
	}
	if (end - p < 4)
		goto corrupt;
	plen = get32(p);
	if ((size_t)(end - p - 4) != plen)
		goto corrupt;
	{
		char *prov = mw_strndup((const char *)p + 4, plen);

		if (!prov)
			goto nomem;
		mw_free(r->base.hdr.provenance);
		r->base.hdr.provenance = prov;
	}
	err = 0;
	goto out;
corrupt:
	err = mw_diag_set_offset(d, MW_ECORRUPT, r->name, (uint64_t)(p - b),
				 "corrupt header (tensor table or provenance)");
	goto out;
nomem:
	err = mw_diag_set(d, MW_ENOMEM, r->name, 0, "out of memory");
out:
	mw_free(b);
	return err;
}

/* Inflates exactly n bytes into exactly raw bytes, or fails. */
static int inflate_column(struct libdeflate_decompressor *zd,
			  const uint8_t *src, size_t n, uint8_t *dst,
			  size_t raw)
{
	size_t in_used = 0;

	if (libdeflate_deflate_decompress_ex(zd, src, n, dst, raw, &in_used,
					     NULL) != LIBDEFLATE_SUCCESS ||
	    in_used != n)
		return MW_ECORRUPT;
	return 0;
}

/* Reads the footer (its magic already consumed) and checks it. */
static int read_footer(struct mwt_reader *r, const uint8_t *magic,
		       struct mw_diag *d)
{
	uint8_t head[20], entry[12], tail[4], trailer[16], extra;
	uint64_t at = mw_input_offset(r->in) - 4, nblocks, total, sum = 0;
	uint32_t c32;
	size_t i;
	int err;

	memcpy(head, magic, 4);
	err = read_exact(r, head + 4, 16, "the footer", d);
	if (err)
		return err;
	c32 = crc(0, head, sizeof(head));
	nblocks = get64(head + 4);
	total = get64(head + 12);
	if (nblocks != r->nseen)
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name, at,
					  "footer lists %llu blocks, the file "
					  "holds %zu",
					  (unsigned long long)nblocks,
					  r->nseen);
	for (i = 0; i < r->nseen; i++) {
		err = read_exact(r, entry, sizeof(entry), "the footer", d);
		if (err)
			return err;
		c32 = crc(c32, entry, sizeof(entry));
		if (get64(entry) != r->seen[i].offset ||
		    get32(entry + 8) != r->seen[i].records)
			return mw_diag_set_offset(d, MW_ECORRUPT, r->name, at,
						  "footer index disagrees with "
						  "block %zu",
						  i);
		sum += r->seen[i].records;
	}
	err = read_exact(r, tail, 4, "the footer", d);
	if (!err)
		err = read_exact(r, trailer, 16, "the trailer", d);
	if (err)
		return err;
	if (!crc_ok(get32(tail), c32))
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name, at,
					  "footer checksum mismatch");
	if (total != sum || get64(trailer) != at ||
	    memcmp(trailer + 8, MWT_END_MAGIC, 8))
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name, at,
					  "footer totals or trailer corrupt");
	if (mw_input_read(r->in, &extra, 1, d) != 0)
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name,
					  mw_input_offset(r->in) - 1,
					  "unexpected data after the trailer");
	return 0;
}

/*
 * Reads the next block into the decoder.  Returns 1 with a block ready, 0
 * at the end of the file (footer checked), or an error.
 */
static int next_block(struct mwt_reader *r, struct mw_diag *d)
{
	uint8_t head[16];
	const uint8_t *dir, *src;
	const uint8_t *colp[MWT_COLUMNS];
	size_t rawlen[MWT_COLUMNS], plen, raw_total = 0, stored_total = 0;
	uint32_t nrec;
	char what[64];
	int c, err;

	r->block_offset = mw_input_offset(r->in);
	snprintf(what, sizeof(what), "block %llu",
		 (unsigned long long)r->block_no);
	{
		long got = mw_input_read(r->in, head, 4, d);

		if (got < 0)
			return (int)got;
		if (got < 4)
			return mw_diag_set_offset(
				d, MW_ETRUNC, r->name, r->block_offset,
				"truncated: the file ends after %llu blocks, "
				"before its footer",
				(unsigned long long)r->block_no);
	}
	if (get32(head) == MWT_FOOTER_MAGIC) {
		err = read_footer(r, head, d);
		return err ? err : 0;
	}
	if (get32(head) != MWT_BLOCK_MAGIC)
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name,
					  r->block_offset,
					  "%s: bad block magic", what);
	err = read_exact(r, head + 4, 12, what, d);
	if (err)
		return err;
	nrec = get32(head + 4);
	plen = get32(head + 8);
	if (nrec == 0 || nrec > r->block_records || plen < MWT_COLDIR ||
	    plen > payload_max(nrec))
		return mw_diag_set_offset(d, MW_ECORRUPT, r->name,
					  r->block_offset,
					  "%s: corrupt block header (%u "
					  "records, %zu payload bytes)",
					  what, nrec, plen);
	if (plen > r->payload_cap) {
		/* MWT_PAD: columns decoded in place need readable bytes after */
		uint8_t *np = mw_reallocarray(r->payload, plen + MWT_PAD, 1);

		if (!np)
			return mw_diag_set(d, MW_ENOMEM, r->name, 0,
					   "out of memory");
		r->payload = np;
		r->payload_cap = plen;
	}
	err = read_exact(r, r->payload, plen, what, d);
	memset(r->payload + plen, 0, MWT_PAD);
	if (err)
		return err;
	/* From here on the block's extent is known: damage inside it can be
	   skipped when the caller asked to go on. */
	err = index_push(&r->seen, &r->nseen, &r->seen_cap, r->block_offset,
			 nrec);
	if (err)
		return mw_diag_set(d, err, r->name, 0, "out of memory");
	if (!crc_ok(get32(head + 12),
		    crc(crc(0, head, 12), r->payload, plen))) {
		mw_diag_set_offset(d, MW_ECORRUPT, r->name, r->block_offset,
				   "%s: checksum mismatch", what);
		return MW_ECORRUPT;
	}
	dir = r->payload;
	for (c = 0; c < MWT_COLUMNS; c++, dir += 9) {
		size_t stored = get32(dir + 5);

		rawlen[c] = get32(dir + 1);
		if (dir[0] > METHOD_DEFLATE ||
		    rawlen[c] > mwt_column_max((enum mwt_column)c, nrec) ||
		    (dir[0] == METHOD_STORED && stored != rawlen[c]))
			goto corrupt;
		raw_total += rawlen[c];
		stored_total += stored;
	}
	if (stored_total != plen - MWT_COLDIR)
		goto corrupt;
	if (raw_total > r->cols_cap) {
		uint8_t *nc = mw_reallocarray(r->cols, raw_total + MWT_PAD, 1);

		if (!nc)
			return mw_diag_set(d, MW_ENOMEM, r->name, 0,
					   "out of memory");
		memset(nc + raw_total, 0, MWT_PAD);
		r->cols = nc;
		r->cols_cap = raw_total;
	}
	dir = r->payload;
	src = r->payload + MWT_COLDIR;
	raw_total = 0;
	for (c = 0; c < MWT_COLUMNS; c++, dir += 9) {
		size_t stored = get32(dir + 5);
		uint8_t *dst = r->cols + raw_total;

		if (dir[0] == METHOD_STORED) {
			colp[c] = src; /* used in place */
		} else {
			if (inflate_column(r->zd, src, stored, dst, rawlen[c]))
				goto corrupt;
			colp[c] = dst;
		}
		raw_total += rawlen[c];
		src += stored;
	}
	mwt_decode_begin(&r->dec, colp, rawlen, nrec, r->base.hdr.units,
			 r->base.hdr.ntensors);
	r->in_block = true;
	return 1;
corrupt:
	return mw_diag_set_offset(d, MW_ECORRUPT, r->name, r->block_offset,
				  "%s: corrupt column data", what);
}

/*
 * Damage inside a block whose extent is known: reported and skipped when
 * the caller asked for that, else the error.  Returns 1 to go on.
 */
static int skip_damage(struct mwt_reader *r, int err)
{
	if (err != MW_ECORRUPT || !r->on_damage || r->nseen != r->block_no + 1)
		return err;
	r->on_damage(r->damage_ctx, &r->base.diag);
	mw_diag_clear(&r->base.diag);
	r->base.stats.damaged_blocks++;
	r->in_block = false;
	r->block_no++;
	return 1;
}

static long mwt_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	struct mwt_reader *r = (struct mwt_reader *)s;

	for (;;) {
		long n;
		int err;

		if (!r->in_block) {
			err = next_block(r, &s->diag);
			if (err < 0)
				err = skip_damage(r, err);
			if (err <= 0)
				return err;
			if (!r->in_block)
				continue;
		}
		n = mwt_decode(&r->dec, buf, cap);
		if (n > 0)
			return n;
		if (n == 0)
			n = mwt_decode_end(&r->dec);
		if (n < 0) {
			mw_diag_set_offset(&s->diag, MW_ECORRUPT, r->name,
					   r->block_offset, "block %llu: %s",
					   (unsigned long long)r->block_no,
					   r->dec.why);
			err = skip_damage(r, MW_ECORRUPT);
			if (err < 0)
				return err;
			continue;
		}
		r->in_block = false;
		r->block_no++;
	}
}

static void mwt_reader_destroy(struct mw_stream *s)
{
	struct mwt_reader *r = (struct mwt_reader *)s;

	libdeflate_free_decompressor(r->zd);
	mw_input_close(r->in);
	mw_free(r->payload);
	mw_free(r->cols);
	mw_free(r->seen);
	mw_free(r);
}

static const struct mw_stream_ops mwt_stream_ops = {
	.name = "mwt",
	.read = mwt_read,
	.destroy = mwt_reader_destroy,
};

static struct mw_stream *
mwt_open(struct mw_input *in, const struct mw_read_opts *o, struct mw_diag *d)
{
	struct mwt_reader *r = mw_calloc(1, sizeof(*r));

	if (!r) {
		mw_diag_set(d, MW_ENOMEM, mw_input_name(in), 0,
			    "out of memory");
		mw_input_close(in);
		return NULL;
	}
	mw_stream_init(&r->base, &mwt_stream_ops);
	snprintf(r->base.hdr.format, sizeof(r->base.hdr.format), "mwt");
	r->in = in;
	r->name = mw_input_name(in);
	r->base.file_bytes = mw_input_file_size(in);
	r->on_damage = o->on_damage;
	r->damage_ctx = o->damage_ctx;
	if (read_header(r, d))
		goto out_destroy;
	r->zd = libdeflate_alloc_decompressor();
	if (!r->zd) {
		mw_diag_set(d, MW_ENOMEM, r->name, 0, "out of memory");
		goto out_destroy;
	}
	return &r->base;

out_destroy:
	mw_stream_destroy(&r->base);
	return NULL;
}

const struct mw_format mw_format_mwt = {
	.name = "mwt",
	.summary = "memwall native: columnar, delta-coded, deflated blocks "
		   "with CRCs and an index",
	.extensions = ".mwt",
	.detect = detect,
	.open = mwt_open,
	.create = mwt_create,
};
