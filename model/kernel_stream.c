/*
 * kernel_stream.c - the stream kernel: BabelStream / gpu-stream style
 * element-wise passes over arrays (copy, scale, add, triad, dot, read,
 * write), for comparing with measured stream bandwidths.
 *
 * Notes:
 *  - Arrays a, b, c of --bytes each (only those the operation touches
 *    exist), each laid out as [n / block, block] elements: CTA i handles
 *    elements [i block, (i + 1) block) of every array, as BabelStream's
 *    one-element-per-thread kernels with TBSIZE = block do (its default
 *    1024).  A CTA reads its chunk of each input in turn, then writes its
 *    chunk of the output (records of at most 128 bytes).
 *  - Operations (BabelStream names; gpu-stream's init = write, mul =
 *    scale): copy c = a; scale b = s c; add c = a + b; triad a = b + s c;
 *    dot sum a b; read sum a; write a = s.  The per-CTA partial sums of
 *    dot and read (a few bytes per CTA) are not modelled.
 *  - Traffic is exact in closed form: every input byte read once, every
 *    output byte written once; compulsory = no-reuse = the wave bound.
 *  - The default 64 MiB per array is larger than every preset's L2 and
 *    quick to simulate; measured bandwidths on GPUs hold from a few
 *    hundred MiB down to a few times the L2.
 */
#include "model/kernel_int.h"

#include "common/units.h"

#include <stdio.h>
#include <string.h>

static const struct mw_kernel_param stream_params[] = {
	{"op", "copy",
	 "copy (c = a), scale (b = s c), add (c = a + b), triad (a = b + s c), "
	 "dot, read, write"},
	{"bytes", "64MiB", "bytes per array (KiB, MiB, GiB accepted)"},
	{"dtype", "fp32", "element type: fp32, bf16, fp16, fp8"},
	{"block", "1024", "elements per CTA (BabelStream TBSIZE)"},
	{"ctas-per-unit", "0",
	 "resident CTAs per unit (0 = the machine's default)"},
	{NULL, NULL, NULL}};

static const struct {
	const char *name;
	enum mw_stream_op op;
} op_names[] = {
	{"copy", MW_STREAM_COPY},   {"scale", MW_STREAM_SCALE},
	{"mul", MW_STREAM_SCALE},   {"add", MW_STREAM_ADD},
	{"triad", MW_STREAM_TRIAD}, {"dot", MW_STREAM_DOT},
	{"read", MW_STREAM_READ},   {"write", MW_STREAM_WRITE},
	{"init", MW_STREAM_WRITE},  {NULL, MW_STREAM_COPY},
};

/* Inputs and output of each operation: array letters, "" = none. */
static const struct {
	const char *in, *out;
} op_io[] = {
	[MW_STREAM_COPY] = {"a", "c"}, [MW_STREAM_SCALE] = {"c", "b"},
	[MW_STREAM_ADD] = {"ab", "c"}, [MW_STREAM_TRIAD] = {"bc", "a"},
	[MW_STREAM_DOT] = {"ab", ""},  [MW_STREAM_READ] = {"a", ""},
	[MW_STREAM_WRITE] = {"", "a"},
};

int mw_stream_kp_parse(struct mw_stream_kp *kp, const char *key, const char *v,
		       struct mw_diag *d)
{
	unsigned i;

	if (!strcmp(key, "op")) {
		for (i = 0; op_names[i].name; i++)
			if (!strcmp(v, op_names[i].name)) {
				kp->op = op_names[i].op;
				return 0;
			}
		return mw_diag_set(d, MW_EPARSE, "", 0,
				   "op: '%s' is not copy, scale (mul), add, "
				   "triad, dot, read or write (init)",
				   v);
	}
	if (!strcmp(key, "bytes")) {
		if (mw_parse_size(v, &kp->bytes) ||
		    kp->bytes > ((uint64_t)1 << 40))
			return mw_diag_set(d, MW_EPARSE, "", 0,
					   "bytes: '%s' is not a size up to "
					   "1 TiB",
					   v);
		return 0;
	}
	{
		uint64_t b;

		if (mw_parse_u64(v, &b) || !b || b > (1u << 24))
			return mw_diag_set(d, MW_EPARSE, "", 0,
					   "block: '%s' is not a whole number "
					   "1..16777216",
					   v);
		kp->block = (uint32_t)b;
	}
	return 0;
}

static int validate_stream(const struct mw_kparams *p, struct mw_diag *d)
{
	enum mw_dtype t;
	uint32_t cpu;
	const struct mw_stream_kp *s = mw_kparams_stream(p, &t, &cpu);
	uint64_t e = mw_dtype_bytes(t);

	if (!s->bytes || s->bytes % e)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "bytes: %llu is not a positive multiple of "
				   "the %llu-byte element",
				   (unsigned long long)s->bytes,
				   (unsigned long long)e);
	if ((s->bytes / e) % s->block)
		return mw_diag_set(d, MW_EINVAL, "", 0,
				   "bytes: %llu elements are not a multiple "
				   "of block %u",
				   (unsigned long long)(s->bytes / e),
				   s->block);
	return 0;
}

static double footprint_stream(const struct mw_kparams *p)
{
	enum mw_dtype t;
	uint32_t cpu;
	const struct mw_stream_kp *s = mw_kparams_stream(p, &t, &cpu);

	return (double)s->bytes *
	       (double)(strlen(op_io[s->op].in) + strlen(op_io[s->op].out));
}

static int build_stream(const struct mw_kparams *p, struct mw_plan *pl)
{
	static const char *const names[] = {"a", "b", "c"};
	enum mw_dtype t;
	uint32_t cpu, e;
	const struct mw_stream_kp *s = mw_kparams_stream(p, &t, &cpu);
	const char *in = op_io[s->op].in, *out = op_io[s->op].out;
	struct mw_phase *ph;
	struct mw_rows_phase *r;
	uint64_t rows;
	unsigned i;
	int err;

	e = mw_dtype_bytes(t);
	rows = s->bytes / e / s->block;
	ph = mw_plan_phase(pl, MW_PHASE_ROWS, "stream");
	if (!ph)
		return MW_ERANGE;
	r = &ph->u.r;
	r->rows = rows;
	r->cols = s->block;
	r->br = 1;
	r->bc = s->block;
	for (i = 0; in[i]; i++) {
		uint8_t ti;
		uint64_t base;

		err = mw_plan_tensor(pl, names[in[i] - 'a'], s->bytes,
				     MW_ROLE_INPUT, &ti, &base);
		if (err)
			return err;
		r->in[r->nin] =
			mw_plan_mat(ti, base, rows, s->block, s->block, e);
		r->count[r->nin++] = 1;
	}
	if (*out) {
		uint8_t ti;
		uint64_t base;

		err = mw_plan_tensor(pl, names[*out - 'a'], s->bytes,
				     MW_ROLE_OUTPUT, &ti, &base);
		if (err)
			return err;
		r->out[r->nout++] =
			mw_plan_mat(ti, base, rows, s->block, s->block, e);
	}
	return 0;
}

const struct mw_kernel_ops mw_stream_ops = {"stream",
					    "BabelStream passes: copy, scale, "
					    "add, triad, dot, read, write",
					    stream_params,
					    "--op triad --bytes 256MiB",
					    validate_stream,
					    footprint_stream,
					    build_stream};
