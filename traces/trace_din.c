/*
 * trace_din.c - DineroIV "din" traces, read and written.
 *
 * Lines the reader understands (DineroIV d4-7, dinfmt.c and xdinfmt.c):
 *
 *   classic   LABEL HEXADDR [ignored...]        LABEL a digit 0..5
 *   extended  T HEXADDR HEXSIZE [ignored...]    T one of r w i m c v
 *
 * Fields are split by spaces and tabs; addresses and the extended size are
 * hexadecimal with an optional 0x or 0X; T is case-insensitive.
 *
 * Notes:
 *  - Labels 0/r read, 1/w write, 2/i instruction fetch (kept as
 *    MW_OP_IFETCH), 3/m "misc", which DineroIV treats as a read that never
 *    triggers a prefetch: here a read.  4/c copy-back and 5/v invalidate
 *    are cache-control commands, not accesses: they are checked, counted
 *    in controls_skipped and dropped (memwall has no command to replay
 *    them).  For c and v the size may be 0 ("the whole cache").
 *  - Classic lines have no size: as DineroIV does, the address is rounded
 *    down to a multiple of 4 and the access is 4 bytes.
 *  - Extended sizes 0 or above 2^32 - 1 on r, w, i, m are malformed, as is
 *    an access that would pass the end of the 64-bit address space.
 *  - Both forms may appear in one file (each line is read by its label);
 *    DineroIV itself reads one form per run (-informat d or D).
 *  - Blank lines (spaces and tabs only) hold no access: they are counted
 *    in other_skipped.  Anything else is malformed (--skip-bad skips it).
 *  - The trace names no unit and no tensor: everything is unit 0,
 *    untagged (--regions can tag it).
 *  - The writer emits the extended form, "r|w|i HEXADDR HEXSIZE",
 *    lowercase, no 0x; units and tensors do not survive (din has no field
 *    for them).
 */
#include "traces/format_impl.h"
#include "traces/textread.h"

#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

#define DIN_TOKENS 3

/* The op of a label, or -1 for a control command, -2 for no label. */
static int din_label(const char *t, size_t n, bool *classic)
{
	if (n != 1)
		return -2;
	*classic = t[0] >= '0' && t[0] <= '9';
	switch (t[0]) {
	case '0':
	case 'r':
	case 'R':
	case '3':
	case 'm':
	case 'M':
		return MW_OP_READ;
	case '1':
	case 'w':
	case 'W':
		return MW_OP_WRITE;
	case '2':
	case 'i':
	case 'I':
		return MW_OP_IFETCH;
	case '4':
	case 'c':
	case 'C':
	case '5':
	case 'v':
	case 'V':
		return -1;
	default:
		return -2;
	}
}

/*
 * Parses one line into *a without touching any reader state.  Returns 1
 * for an access, 0 for a skipped line (*control says which kind), or -1
 * with why set.
 */
static int din_parse(const char *line, size_t len, struct mw_access *a,
		     bool *control, char *why, size_t cap)
{
	const char *tok[DIN_TOKENS];
	size_t tl[DIN_TOKENS];
	unsigned n = mw_text_tokens(line, line + len, tok, tl, DIN_TOKENS);
	uint64_t addr, size;
	bool classic = false;
	int op;

	*control = false;
	if (n == 0)
		return 0;
	op = din_label(tok[0], tl[0], &classic);
	if (op == -2) {
		snprintf(why, cap,
			 "unknown label '%.*s' (want 0-5 or r w i m c v)",
			 (int)(tl[0] > 20 ? 20 : tl[0]), tok[0]);
		return -1;
	}
	if (n < 2) {
		snprintf(why, cap, "label '%c' without an address", tok[0][0]);
		return -1;
	}
	if (!mw_parse_hex_token(tok[1], tl[1], &addr)) {
		snprintf(why, cap,
			 "address '%.*s' is not a 64-bit hexadecimal number",
			 (int)(tl[1] > 40 ? 40 : tl[1]), tok[1]);
		return -1;
	}
	if (classic) {
		size = 4;
		addr &= ~(uint64_t)3;
	} else {
		if (n < 3) {
			snprintf(why, cap,
				 "extended din line without a size (want "
				 "'%c ADDR SIZE', size in hex)",
				 tok[0][0]);
			return -1;
		}
		if (!mw_parse_hex_token(tok[2], tl[2], &size)) {
			snprintf(why, cap,
				 "size '%.*s' is not a hexadecimal number",
				 (int)(tl[2] > 40 ? 40 : tl[2]), tok[2]);
			return -1;
		}
	}
	if (op == -1) {
		*control = true;
		return 0;
	}
	if (size == 0 || size > UINT32_MAX) {
		snprintf(why, cap, "size 0x%llx (want 1 to 0xffffffff bytes)",
			 (unsigned long long)size);
		return -1;
	}
	if (addr > UINT64_MAX - (size - 1)) {
		snprintf(why, cap,
			 "0x%llx bytes at 0x%llx pass the end of the address "
			 "space",
			 (unsigned long long)size, (unsigned long long)addr);
		return -1;
	}
	a->addr = addr;
	a->size = (uint32_t)size;
	a->unit = 0;
	a->op = (uint8_t)op;
	a->tensor = 0;
	return 1;
}

static int din_line(struct mw_text_reader *r, const char *line, size_t len)
{
	char why[MW_DIAG_MSG - 32];
	struct mw_access a;
	bool control;
	int got = din_parse(line, len, &a, &control, why, sizeof(why));

	if (got < 0)
		return mw_text_bad(r, "%s", why);
	if (got == 0) {
		if (control)
			r->base.stats.controls_skipped++;
		else
			r->base.stats.other_skipped++;
		return 0;
	}
	r->pend[r->npend++] = a;
	return 0;
}

static const struct mw_stream_ops din_stream_ops = {
	.name = "din",
	.read = mw_text_read,
	.destroy = mw_text_destroy,
};

static struct mw_stream *
din_open(struct mw_input *in, const struct mw_read_opts *o, struct mw_diag *d)
{
	return mw_text_open(in, &din_stream_ops, "din", o->skip_bad, din_line,
			    "DineroIV din trace (unit 0, untagged)", d);
}

/*
 * Complete lines of the head that parse as din, against those that do
 * not; the last line counts only when the head ends the input.
 */
static int din_detect(const char *head, size_t n)
{
	const char *p = head, *end = head + n;
	unsigned good = 0, bad = 0, extended = 0;

	while (p < end && good + bad < 64) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		struct mw_access a;
		bool control;
		char why[8];
		int got;

		if (!nl && n >= MW_INPUT_PEEK)
			break; /* cut short by the peek */
		if (len && p[len - 1] == '\r')
			len--;
		got = din_parse(p, len, &a, &control, why, sizeof(why));
		if (got < 0)
			bad++;
		else if (got > 0 || control) {
			good++;
			if (!(*p >= '0' && *p <= '9'))
				extended++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (!good)
		return 0;
	if (!bad)
		return extended ? 70 : 60;
	return good >= 8 * bad ? 30 : 0;
}

/* ---- writer ---------------------------------------------------------------- */

static int din_write(struct mw_writer *w, const struct mw_access *recs,
		     size_t n, struct mw_diag *d)
{
	static const char label[MW_OP_COUNT] = {'r', 'w', 'i'};
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mw_access *a = &recs[i];
		char *p;
		int len;

		if (a->op >= MW_OP_COUNT || a->size == 0)
			return mw_diag_set(d, MW_EINVAL, mw_output_name(w->out),
					   0,
					   "record %llu cannot be written: %s",
					   (unsigned long long)(w->records + i),
					   a->size ? "unknown op" : "size 0");
		p = mw_output_reserve(w->out, 64, d);
		if (!p)
			return d ? d->code : MW_EIO;
		len = snprintf(p, 64, "%c %llx %x\n", label[a->op],
			       (unsigned long long)a->addr, a->size);
		mw_output_advance(w->out, (size_t)len);
	}
	return 0;
}

static int din_finish(struct mw_writer *w, struct mw_diag *d)
{
	(void)w;
	(void)d;
	return 0;
}

static void din_writer_destroy(struct mw_writer *w)
{
	mw_free(w);
}

static const struct mw_writer_ops din_writer_ops = {
	.write = din_write,
	.finish = din_finish,
	.destroy = din_writer_destroy,
};

static struct mw_writer *din_create(struct mw_output *out,
				    const struct mw_trace_header *h,
				    const struct mw_write_opts *o,
				    struct mw_diag *d)
{
	struct mw_writer *w = mw_calloc(1, sizeof(*w));

	(void)h;
	(void)o;
	if (!w) {
		mw_diag_set(d, MW_ENOMEM, mw_output_name(out), 0,
			    "out of memory");
		mw_output_abort(out);
		return NULL;
	}
	w->ops = &din_writer_ops;
	w->out = out;
	return w;
}

const struct mw_format mw_format_din = {
	.name = "din",
	.summary = "DineroIV din, classic (labels 0-5) or extended "
		   "(r w i m c v, hex size); written extended",
	.extensions = ".din",
	.detect = din_detect,
	.open = din_open,
	.create = din_create,
};
