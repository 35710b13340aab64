/*
 * trace_lackey.c - valgrind lackey --trace-mem=yes output, read-only.
 *
 * Lines the reader understands (valgrind lackey/lk_main.c):
 *
 *   "I  %08lx,%lu"   instruction fetch: address, bytes
 *   " L %08lx,%lu"   load
 *   " S %08lx,%lu"   store
 *   " M %08lx,%lu"   modify (a load and a store of the same bytes)
 *   "==PID== ..."    valgrind's own messages
 *   "SB %08lx"       superblock entry (--trace-superblocks=yes)
 *
 * Notes:
 *  - Addresses are hexadecimal without 0x, in either case (lackey prints
 *    lowercase, the manual shows uppercase), of any width up to 64 bits;
 *    sizes are decimal, 1 to 2^32 - 1 bytes.  The spaces before and after
 *    the letter may vary; the letter must be followed by a space or tab.
 *  - I becomes MW_OP_IFETCH, L a read, S a write, M a read and then a
 *    write of the same bytes (the load misses or hits first, the store then
 *    finds the line present, as on the hardware).
 *  - Lines starting "==" and superblock lines hold no access: they are
 *    counted in other_skipped.  Blank lines too.  Any other line (the
 *    traced program's own output, when it shares the log) is malformed,
 *    so nothing is dropped silently; --skip-bad counts and skips it.
 *  - lackey serializes threads and names none: everything is unit 0,
 *    untagged (--regions can tag it).
 */
#include "traces/format_impl.h"
#include "traces/textread.h"

#include <stdio.h>
#include <string.h>

enum lk_kind {
	LK_ACCESS,
	LK_MODIFY,
	LK_SKIP
};

/*
 * Parses one line.  Returns 1 for an access (*addr, *size, *op; *modify for
 * M), 0 for a line holding none, or -1 with why set.
 */
static int lk_parse(const char *line, size_t len, uint64_t *addr,
		    uint32_t *size, enum mw_op *op, bool *modify, char *why,
		    size_t cap)
{
	const char *p = line, *end = line + len, *comma, *q;
	uint64_t v;
	char letter;

	*modify = false;
	if (len >= 2 && line[0] == '=' && line[1] == '=')
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return 0;
	if (end - p >= 3 && p[0] == 'S' && p[1] == 'B' &&
	    (p[2] == ' ' || p[2] == '\t')) {
		q = p + 3;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (!mw_parse_hex_token(q, (size_t)(end - q), &v) ||
		    (q[0] == '0' && end - q > 1 &&
		     (q[1] == 'x' || q[1] == 'X')))
			goto out_not_lackey;
		return 0;
	}
	letter = *p++;
	switch (letter) {
	case 'I':
		*op = MW_OP_IFETCH;
		break;
	case 'L':
		*op = MW_OP_READ;
		break;
	case 'S':
		*op = MW_OP_WRITE;
		break;
	case 'M':
		*op = MW_OP_READ;
		*modify = true;
		break;
	default:
		goto out_not_lackey;
	}
	if (p == end || (*p != ' ' && *p != '\t'))
		goto out_not_lackey;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	comma = memchr(p, ',', (size_t)(end - p));
	if (!comma) {
		snprintf(why, cap,
			 "'%c' line without ',SIZE' after the address", letter);
		return -1;
	}
	if ((comma - p > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) ||
	    !mw_parse_hex_token(p, (size_t)(comma - p), addr)) {
		snprintf(why, cap,
			 "address '%.*s' is not a 64-bit hexadecimal number "
			 "(no 0x)",
			 (int)(comma - p > 40 ? 40 : comma - p), p);
		return -1;
	}
	p = comma + 1;
	q = end;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (!mw_parse_dec_token(p, (size_t)(q - p), &v)) {
		snprintf(why, cap, "size '%.*s' is not a decimal number",
			 (int)(q - p > 40 ? 40 : q - p), p);
		return -1;
	}
	if (v == 0 || v > UINT32_MAX) {
		snprintf(why, cap, "size %llu (want 1 to 4294967295 bytes)",
			 (unsigned long long)v);
		return -1;
	}
	if (*addr > UINT64_MAX - (v - 1)) {
		snprintf(why, cap,
			 "%llu bytes at 0x%llx pass the end of the address "
			 "space",
			 (unsigned long long)v, (unsigned long long)*addr);
		return -1;
	}
	*size = (uint32_t)v;
	return 1;

out_not_lackey:
	snprintf(why, cap,
		 "not a lackey line (want 'I  ADDR,SIZE', ' L', ' S' or ' M', "
		 "or '==' messages)");
	return -1;
}

static int lk_line(struct mw_text_reader *r, const char *line, size_t len)
{
	char why[MW_DIAG_MSG - 32];
	uint64_t addr;
	uint32_t size;
	enum mw_op op;
	bool modify;
	int got = lk_parse(line, len, &addr, &size, &op, &modify, why,
			   sizeof(why));

	if (got < 0)
		return mw_text_bad(r, "%s", why);
	if (got == 0) {
		r->base.stats.other_skipped++;
		return 0;
	}
	mw_text_push(r, addr, size, 0, op, 0);
	if (modify)
		mw_text_push(r, addr, size, 0, MW_OP_WRITE, 0);
	return 0;
}

static const struct mw_stream_ops lk_stream_ops = {
	.name = "lackey",
	.read = mw_text_read,
	.destroy = mw_text_destroy,
};

static struct mw_stream *
lk_open(struct mw_input *in, const struct mw_read_opts *o, struct mw_diag *d)
{
	return mw_text_open(in, &lk_stream_ops, "lackey", o->skip_bad, lk_line,
			    "valgrind lackey --trace-mem=yes "
			    "(threads serialized: unit 0, untagged)",
			    d);
}

/*
 * Access lines against other lines in the head's complete lines;
 * valgrind's own lines are neutral, but its "Lackey" banner is a sign.
 */
static int lk_detect(const char *head, size_t n)
{
	const char *p = head, *end = head + n;
	unsigned good = 0, bad = 0;
	bool banner = false;

	while (p < end && good + bad < 64) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		uint64_t addr;
		uint32_t size;
		enum mw_op op;
		bool modify;
		char why[8];
		int got;

		if (!nl && n >= MW_INPUT_PEEK)
			break;
		if (len && p[len - 1] == '\r')
			len--;
		if (len >= 2 && p[0] == '=' && p[1] == '=') {
			if (memmem(p, len, "Lackey", 6))
				banner = true;
		} else {
			got = lk_parse(p, len, &addr, &size, &op, &modify, why,
				       sizeof(why));
			if (got > 0)
				good++;
			else if (got < 0)
				bad++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (good && !bad)
		return 90;
	if (good && good >= 4 * bad)
		return banner ? 80 : 40;
	return banner ? 60 : 0;
}

const struct mw_format mw_format_lackey = {
	.name = "lackey",
	.summary = "valgrind lackey --trace-mem=yes output (I, L, S, M; "
		   "M = read + write)",
	.extensions = ".lackey",
	.detect = lk_detect,
	.open = lk_open,
	.create = NULL,
};
