/*
 * trace_csv.c - traces as CSV, read and written.
 *
 * The first non-blank line is a header naming the columns, in any order,
 * case-insensitive: addr, size, op (required), unit, tensor (optional).
 * Columns with other names are ignored, so a file may carry more (a time
 * stamp, a PC) than memwall uses.  Each further line is one access:
 *
 *   addr,size,op,unit,tensor
 *   0x7f8a01800000,64,r,0,A
 *   4096,4,w,3,
 *
 * Notes:
 *  - addr and size are decimal, or hexadecimal after 0x/0X; size is 1 to
 *    2^32 - 1 and the access must not pass the end of the address space.
 *    op is r, w, i, read, write, ifetch (any case) or 0, 1, 2.  unit is
 *    decimal or hex as above, below 65536.  Fields follow RFC 4180
 *    (libcsv: quoting, spaces around fields trimmed); every line must have
 *    as many fields as the header.  Blank lines hold no access
 *    (other_skipped).  A bad header (a required column missing, one named
 *    twice) is an MW_EFORMAT error that --skip-bad does not skip: without
 *    it no line can be read.
 *  - tensor is empty (untagged), a number (an index into the tensor
 *    table, 0 = untagged; the table grows to hold it, the new entries
 *    named "tensorN") or a name (looked up, else appended): names make up
 *    the tensor table in order of first appearance, at most 255.  A name
 *    made only of digits is read as an index.  CSV carries no tensor
 *    bases or sizes: keep them in a regions file (name,base,size) and
 *    pass it with --regions, which tags by address instead.
 *  - The header of a stream is fixed when it opens, so the reader reads
 *    ahead up to CSV_AHEAD records (1 MiB) to learn the tensor table and
 *    the unit count: --units if given, else one more than the largest
 *    unit in those records (1 without a unit column).  A later record
 *    with a unit beyond that or a tensor not yet in the table is
 *    malformed (the message says to pass --units or --regions).  A
 *    malformed line within the read-ahead fails the open, with its line.
 *  - The writer emits "addr,size,op,unit,tensor": hex addresses with 0x,
 *    decimal sizes and units, op r/w/i, the tensor's name (quoted when it
 *    needs it) or nothing for untagged.  The unit count and the tensor
 *    bases and sizes are not written (see above).
 */
#include "traces/format_impl.h"
#include "traces/csvsplit.h"
#include "traces/textread.h"

#include "common/alloc.h"

#include <csv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CSV_AHEAD (1u << 16) /* records read ahead at open */

enum csv_col {
	COL_ADDR,
	COL_SIZE,
	COL_OP,
	COL_UNIT,
	COL_TENSOR,
	COL_COUNT
};

static const char *const col_names[COL_COUNT] = {"addr", "size", "op", "unit",
						 "tensor"};

struct tc_reader {
	struct mw_text_reader t;
	struct mw_csv_splitter *sp; /* owned */
	int col[COL_COUNT];	    /* field index of each column, -1 = none */
	int nfields;		 /* fields in the header, 0 = no header yet */
	uint32_t units;		 /* fixed after the read-ahead */
	uint32_t max_unit;	 /* largest unit seen in the read-ahead */
	bool fixed;		 /* header fixed: read-ahead over */
	bool units_given;	 /* --units */
	struct mw_access *ahead; /* owned, the read-ahead records */
	size_t nahead, iahead;
	int ahead_end; /* 0 or the error that ended the read-ahead */
};

/* Decimal, or hex after 0x; false on anything else. */
static bool parse_num(const char *s, uint64_t *v)
{
	size_t n = strlen(s);

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return mw_parse_hex_token(s, n, v);
	return mw_parse_dec_token(s, n, v);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int parse_op(const char *s)
{
	static const char *const names[][3] = {
		{"r", "read", "0"}, {"w", "write", "1"}, {"i", "ifetch", "2"}};
	int op, k;

	for (op = 0; op < MW_OP_COUNT; op++)
		for (k = 0; k < 3; k++)
			if (!strcasecmp(s, names[op][k]))
				return op;
	return -1;
}

static int tc_header(struct tc_reader *r, char **f, int nf)
{
	int i, c;

	for (c = 0; c < COL_COUNT; c++)
		r->col[c] = -1;
	for (i = 0; i < nf; i++)
		for (c = 0; c < COL_COUNT; c++) {
			if (strcasecmp(f[i], col_names[c]))
				continue;
			if (r->col[c] >= 0)
				return mw_diag_set(&r->t.base.diag, MW_EFORMAT,
						   r->t.name,
						   mw_input_lineno(r->t.in),
						   "header names column '%s' "
						   "twice",
						   col_names[c]);
			r->col[c] = i;
		}
	for (c = 0; c <= COL_OP; c++)
		if (r->col[c] < 0)
			return mw_diag_set(&r->t.base.diag, MW_EFORMAT,
					   r->t.name, mw_input_lineno(r->t.in),
					   "header lacks a '%s' column (want "
					   "addr,size,op[,unit][,tensor])",
					   col_names[c]);
	r->nfields = nf;
	r->t.base.stats.other_skipped++;
	return 0;
}

/* The tensor a field names, added to the table while it is open. */
static int tc_tensor(struct tc_reader *r, const char *s, unsigned *tensor)
{
	struct mw_trace_header *h = &r->t.base.hdr;
	uint64_t v;

	if (!*s) {
		*tensor = 0;
		return 0;
	}
	if (all_digits(s)) {
		if (!mw_parse_dec_token(s, strlen(s), &v) || v > MW_TENSOR_MAX)
			return mw_text_bad(&r->t,
					   "tensor index %.20s (want 0 to %d)",
					   s, MW_TENSOR_MAX);
		if (v > h->ntensors && r->fixed)
			return mw_text_bad(&r->t,
					   "tensor %llu first appears after "
					   "the first %u records, when the "
					   "tensor table is fixed (tag with "
					   "--regions instead)",
					   (unsigned long long)v, CSV_AHEAD);
		while (h->ntensors < v) {
			char name[32];
			int got;

			snprintf(name, sizeof(name), "tensor%u",
				 h->ntensors + 1);
			got = mw_header_add_tensor(h, name, 0, 0);
			if (got == MW_ERANGE)
				return mw_text_bad(&r->t,
						   "tensor table full (%d "
						   "tensors; "
						   "'%s' is in use as a name)",
						   MW_TENSOR_MAX, name);
			if (got < 0)
				return mw_diag_set(&r->t.base.diag, got,
						   r->t.name,
						   mw_input_lineno(r->t.in),
						   "out of memory");
		}
		*tensor = (unsigned)v;
		return 0;
	}
	*tensor = mw_header_find_tensor(h, s);
	if (*tensor)
		return 0;
	if (r->fixed)
		return mw_text_bad(&r->t,
				   "tensor '%.40s' first appears after the "
				   "first %u records, when the tensor table "
				   "is fixed (tag with --regions instead)",
				   s, CSV_AHEAD);
	{
		int got = mw_header_add_tensor(h, s, 0, 0);

		if (got == MW_ERANGE)
			return mw_text_bad(&r->t,
					   "more than %d tensor names; '%.40s' "
					   "does not fit",
					   MW_TENSOR_MAX, s);
		if (got < 0)
			return mw_diag_set(&r->t.base.diag, got, r->t.name,
					   mw_input_lineno(r->t.in),
					   "out of memory");
		*tensor = (unsigned)got;
	}
	return 0;
}

static int tc_line(struct mw_text_reader *t, const char *line, size_t len)
{
	struct tc_reader *r = (struct tc_reader *)t;
	uint64_t addr, size, unit = 0;
	unsigned tensor = 0;
	const char *why;
	char **f;
	int nf = mw_csv_split(r->sp, line, len, &f, &why), op, err;

	if (nf == MW_ENOMEM)
		return mw_diag_set(&t->base.diag, MW_ENOMEM, t->name,
				   mw_input_lineno(t->in), "out of memory");
	if (nf < 0)
		return mw_text_bad(t, "%s", why);
	if (nf == 0 || (nf == 1 && !f[0][0])) {
		t->base.stats.other_skipped++;
		return 0;
	}
	if (!r->nfields)
		return tc_header(r, f, nf);
	if (nf != r->nfields)
		return mw_text_bad(t, "%d fields, the header has %d", nf,
				   r->nfields);
	if (!parse_num(f[r->col[COL_ADDR]], &addr))
		return mw_text_bad(t,
				   "addr '%.40s' is not a 64-bit number "
				   "(decimal, or hex with 0x)",
				   f[r->col[COL_ADDR]]);
	if (!parse_num(f[r->col[COL_SIZE]], &size) || size == 0 ||
	    size > UINT32_MAX)
		return mw_text_bad(t,
				   "size '%.40s' (want 1 to 4294967295 "
				   "bytes)",
				   f[r->col[COL_SIZE]]);
	if (addr > UINT64_MAX - (size - 1))
		return mw_text_bad(t,
				   "%llu bytes at 0x%llx pass the end of the "
				   "address space",
				   (unsigned long long)size,
				   (unsigned long long)addr);
	op = parse_op(f[r->col[COL_OP]]);
	if (op < 0)
		return mw_text_bad(t,
				   "op '%.20s' (want r, w, i, read, write, "
				   "ifetch or 0, 1, 2)",
				   f[r->col[COL_OP]]);
	if (r->col[COL_UNIT] >= 0) {
		if (!parse_num(f[r->col[COL_UNIT]], &unit) ||
		    unit >= MW_UNITS_MAX)
			return mw_text_bad(t, "unit '%.20s' (want 0 to %d)",
					   f[r->col[COL_UNIT]],
					   MW_UNITS_MAX - 1);
		if ((r->fixed || r->units_given) && unit >= r->units)
			return mw_text_bad(t,
					   "unit %llu, but the trace has %u "
					   "units (%s); "
					   "pass --units",
					   (unsigned long long)unit, r->units,
					   r->units_given ? "--units"
							  : "from the first "
							    "records");
		if (unit > r->max_unit)
			r->max_unit = (uint32_t)unit;
	}
	if (r->col[COL_TENSOR] >= 0) {
		err = tc_tensor(r, f[r->col[COL_TENSOR]], &tensor);
		if (err)
			return err;
	}
	mw_text_push(t, addr, (uint32_t)size, (uint32_t)unit, (enum mw_op)op,
		     tensor);
	return 0;
}

static long tc_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	struct tc_reader *r = (struct tc_reader *)s;
	size_t take = r->nahead - r->iahead;
	long more;

	if (take) {
		if (take > cap)
			take = cap;
		memcpy(buf, r->ahead + r->iahead, take * sizeof(*buf));
		r->iahead += take;
		return (long)take;
	}
	if (r->ahead_end)
		return r->ahead_end < 0 ? r->ahead_end : 0;
	more = mw_text_read(s, buf, cap);
	return more;
}

static void tc_destroy(struct mw_stream *s)
{
	struct tc_reader *r = (struct tc_reader *)s;

	mw_text_fini(&r->t);
	mw_csv_splitter_destroy(r->sp);
	mw_free(r->ahead);
	mw_free(r);
}

static const struct mw_stream_ops tc_stream_ops = {
	.name = "csv",
	.read = tc_read,
	.destroy = tc_destroy,
};

static struct mw_stream *
tc_open(struct mw_input *in, const struct mw_read_opts *o, struct mw_diag *d)
{
	struct tc_reader *r = mw_text_alloc(sizeof(*r), in, &tc_stream_ops,
					    "csv", o->skip_bad, tc_line, d);
	char text[128];
	int got;

	if (!r)
		return NULL;
	r->sp = mw_csv_splitter_create();
	r->ahead = mw_malloc(CSV_AHEAD * sizeof(*r->ahead));
	if (!r->sp || !r->ahead) {
		mw_diag_set(d, MW_ENOMEM, r->t.name, 0, "out of memory");
		goto out_destroy;
	}
	if (o->units > MW_UNITS_MAX) {
		mw_diag_set(d, MW_EINVAL, r->t.name, 0,
			    "%u units; at most %d can be simulated", o->units,
			    MW_UNITS_MAX);
		goto out_destroy;
	}
	r->units_given = o->units > 0;
	r->units = o->units;
	while (r->nahead < CSV_AHEAD) {
		got = mw_text_next(&r->t);
		if (got < 0) {
			*d = r->t.base.diag;
			goto out_destroy;
		}
		if (got == 0) {
			r->ahead_end = 1;
			break;
		}
		r->ahead[r->nahead++] = r->t.pend[0];
		r->t.ipend = r->t.npend;
	}
	if (!r->nfields && r->ahead_end) {
		mw_diag_set(d, MW_EPARSE, r->t.name, 0,
			    "no header line (want addr,size,op[,unit]"
			    "[,tensor])");
		goto out_destroy;
	}
	if (!r->units_given)
		r->units = r->col[COL_UNIT] >= 0 && r->nahead ? r->max_unit + 1
							      : 1;
	r->fixed = true;
	r->t.base.hdr.units = r->units;
	snprintf(text, sizeof(text), "CSV trace (%u unit%s, %u tensor%s)",
		 r->units, r->units == 1 ? "" : "s", r->t.base.hdr.ntensors,
		 r->t.base.hdr.ntensors == 1 ? "" : "s");
	if (mw_header_set_provenance(&r->t.base.hdr, text)) {
		mw_diag_set(d, MW_ENOMEM, r->t.name, 0, "out of memory");
		goto out_destroy;
	}
	return &r->t.base;

out_destroy:
	mw_stream_destroy(&r->t.base);
	return NULL;
}

/* A header line naming addr, size and op among its comma-separated fields. */
static int tc_detect(const char *head, size_t n)
{
	const char *p = head, *end = head + n, *nl;
	unsigned have = 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl)
		end = nl;
	while (p < end) {
		const char *q = memchr(p, ',', (size_t)(end - p));
		const char *a = p, *b = q ? q : end;
		int c;

		while (a < b && (*a == ' ' || *a == '\t' || *a == '"'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t' ||
				 b[-1] == '"' || b[-1] == '\r'))
			b--;
		for (c = 0; c <= COL_OP; c++)
			if ((size_t)(b - a) == strlen(col_names[c]) &&
			    !strncasecmp(a, col_names[c], (size_t)(b - a)))
				have |= 1u << c;
		if (!q)
			break;
		p = q + 1;
	}
	return have == 7 ? 90 : 0;
}

/* ---- writer ---------------------------------------------------------------- */

struct tc_writer {
	struct mw_writer base;
	uint32_t ntensors;
	char *names[MW_TENSOR_MAX + 1]; /* owned, CSV-quoted when needed */
};

static int tc_write(struct mw_writer *base, const struct mw_access *recs,
		    size_t n, struct mw_diag *d)
{
	static const char label[MW_OP_COUNT] = {'r', 'w', 'i'};
	struct tc_writer *w = (struct tc_writer *)base;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		const char *name;
		char *p;
		int len;

		if (a->op >= MW_OP_COUNT || a->size == 0 ||
		    a->tensor > w->ntensors)
			return mw_diag_set(
				d, MW_EINVAL, mw_output_name(base->out), 0,
				"record %llu cannot be written: %s",
				(unsigned long long)(base->records + i),
				a->size == 0	       ? "size 0"
				: a->op >= MW_OP_COUNT ? "unknown op"
						       : "tensor beyond the "
							 "header's tensor "
							 "table");
		name = a->tensor ? w->names[a->tensor] : "";
		p = mw_output_reserve(base->out, 80, d);
		if (!p)
			return d ? d->code : MW_EIO;
		len = snprintf(p, 80, "0x%llx,%u,%c,%u,",
			       (unsigned long long)a->addr, a->size,
			       label[a->op], a->unit);
		mw_output_advance(base->out, (size_t)len);
		/* names can be long: written apart from the numbers */
		if ((*name &&
		     mw_output_write(base->out, name, strlen(name), d)) ||
		    mw_output_write(base->out, "\n", 1, d))
			return d ? d->code : MW_EIO;
	}
	return 0;
}

static int tc_finish(struct mw_writer *w, struct mw_diag *d)
{
	(void)w;
	(void)d;
	return 0;
}

static void tc_writer_destroy(struct mw_writer *base)
{
	struct tc_writer *w = (struct tc_writer *)base;
	unsigned i;

	for (i = 0; i <= MW_TENSOR_MAX; i++)
		mw_free(w->names[i]);
	mw_free(w);
}

static const struct mw_writer_ops tc_writer_ops = {
	.write = tc_write,
	.finish = tc_finish,
	.destroy = tc_writer_destroy,
};

/* The name as a CSV field: quoted only when it has to be. */
static char *tc_field(const char *name)
{
	size_t n = strlen(name), need;
	char *s;

	if (!strpbrk(name, ",\"\r\n") && n && name[0] != ' ' &&
	    name[0] != '\t' && name[n - 1] != ' ' && name[n - 1] != '\t')
		return mw_strdup(name);
	need = csv_write(NULL, 0, name, n);
	s = mw_malloc(need + 1);
	if (!s)
		return NULL;
	csv_write(s, need, name, n);
	s[need] = '\0';
	return s;
}

static struct mw_writer *tc_create(struct mw_output *out,
				   const struct mw_trace_header *h,
				   const struct mw_write_opts *o,
				   struct mw_diag *d)
{
	static const char head[] = "addr,size,op,unit,tensor\n";
	struct tc_writer *w = mw_calloc(1, sizeof(*w));
	unsigned i;

	(void)o;
	if (!w)
		goto out_nomem;
	w->base.ops = &tc_writer_ops;
	w->base.out = out;
	w->ntensors = h->ntensors;
	for (i = 1; i <= h->ntensors; i++) {
		w->names[i] = tc_field(h->tensors[i].name);
		if (!w->names[i])
			goto out_nomem;
	}
	if (mw_output_write(out, head, sizeof(head) - 1, d))
		goto out_abort;
	return &w->base;

out_nomem:
	mw_diag_set(d, MW_ENOMEM, mw_output_name(out), 0, "out of memory");
out_abort:
	if (w) {
		w->base.out = NULL;
		tc_writer_destroy(&w->base);
	}
	mw_output_abort(out);
	return NULL;
}

const struct mw_format mw_format_csv = {
	.name = "csv",
	.summary = "CSV with a header naming addr,size,op[,unit][,tensor] "
		   "(hex 0x or decimal addresses)",
	.extensions = ".csv",
	.detect = tc_detect,
	.open = tc_open,
	.create = tc_create,
};
