/*
 * test_nvbit.c - the NVBit mem_trace reader: coalescing against a naive
 * reference on random warp instructions, hand-checked cases, unit
 * mapping, both line syntaxes, ops, skipped and malformed lines, gzip.
 */
#include "common/alloc.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTX	  0x000055967fa50640ull
#define BASE	  0x00007ff412a00000ull
#define NO_LAUNCH UINT64_MAX /* access line of the old tool */

/* ---- building trace text ------------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL,
			      t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (t->s && (size_t)n < t->cap - t->len)
			break;
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
	}
	t->len += (size_t)n;
}

static void launch(struct text *t, uint64_t id, const char *name, unsigned gx,
		   unsigned gy, unsigned gz)
{
	add(t,
	    "MEMTRACE: CTX 0x%016llx - LAUNCH - Kernel pc 0x00007ff3c2a4b100 "
	    "- Kernel name %s - grid launch id %llu - grid size %u,%u,%u - "
	    "block size 128,1,1 - nregs 32 - shmem 4096 - cuda stream id 0\n",
	    (unsigned long long)CTX, name, (unsigned long long)id, gx, gy, gz);
}

/* One warp instruction as the tool prints it (launch NO_LAUNCH: old tool). */
static void access_line(struct text *t, uint64_t id, unsigned x, unsigned y,
			unsigned z, const char *op, const uint64_t *lane)
{
	int i;

	if (id == NO_LAUNCH)
		add(t, "CTA %u,%u,%u - warp 3 - %s - ", x, y, z, op);
	else
		add(t,
		    "MEMTRACE: CTX 0x%016llx - grid_launch_id %llu - CTA "
		    "%u,%u,%u - warp 3 - %s - ",
		    (unsigned long long)CTX, (unsigned long long)id, x, y, z,
		    op);
	for (i = 0; i < 32; i++)
		add(t, "0x%016llx ", (unsigned long long)lane[i]);
	add(t, "\n");
}

/* Reads text (as a .nvbit file) with units; returns the record count. */
static long read_text(const struct text *t, uint32_t units, bool skip_bad,
		      struct mw_access **recs, struct mw_diag *d)
{
	struct mw_read_opts o = {
		.format = NULL, .units = units, .skip_bad = skip_bad};
	char *path = th_temp_file(".nvbit", t->s ? t->s : "", t->len);
	long n = th_read_all(path, &o, recs, d);

	th_remove(path);
	return n;
}

static void lanes_linear(uint64_t *lane, uint64_t base, uint64_t stride)
{
	int i;

	for (i = 0; i < 32; i++)
		lane[i] = base + (uint64_t)i * stride;
}

/* ---- the naive reference coalescer ----------------------------------------- */

struct ref_rec {
	uint64_t addr;
	uint32_t size;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every byte of every active lane marks its sector; the sorted distinct
 * sectors are then scanned into runs.  Returns the run count.
 */
static unsigned ref_coalesce(const uint64_t *lane, uint32_t size,
			     struct ref_rec *out)
{
	uint64_t sectors[32 * 32];
	unsigned n = 0, i, k = 0;
	uint32_t b;

	for (i = 0; i < 32; i++) {
		if (!lane[i])
			continue;
		for (b = 0; b < size; b++)
			sectors[n++] = (lane[i] + b) / 32;
	}
	qsort(sectors, n, sizeof(sectors[0]), cmp_u64);
	for (i = 0; i < n;) {
		uint64_t first = sectors[i], last = first;

		while (i < n && sectors[i] <= last + 1) {
			last = sectors[i];
			i++;
		}
		out[k].addr = first * 32;
		out[k].size = (uint32_t)(last - first + 1) * 32;
		k++;
	}
	return k;
}

static bool all_below_4g(const uint64_t *lane)
{
	int i;

	for (i = 0; i < 32; i++)
		if (lane[i] >= 0x100000000ull)
			return false;
	return true;
}

/* ---- hand-checked coalescing -------------------------------------------------- */

/* Reads one instruction of CTA 0 and returns its records. */
static long one_instruction(const char *op, const uint64_t *lane,
			    struct mw_access **recs)
{
	struct text t = {0};
	struct mw_diag d;
	long n;

	launch(&t, 0, "k", 1, 1, 1);
	access_line(&t, 0, 0, 0, 0, op, lane);
	n = read_text(&t, 4, false, recs, &d);
	cr_assert_geq(n, 0, "%s", d.msg);
	free(t.s);
	return n;
}

static void expect_rec(const struct mw_access *r, uint64_t addr, uint32_t size,
		       enum mw_op op)
{
	cr_assert_eq(r->addr, addr, "addr 0x%llx, want 0x%llx",
		     (unsigned long long)r->addr, (unsigned long long)addr);
	cr_assert_eq(r->size, size, "size %u, want %u", r->size, size);
	cr_assert_eq(r->op, op);
	cr_assert_eq(r->tensor, 0);
}

Test(nvbit, contiguous_aligned_and_misaligned)
{
	uint64_t lane[32];
	struct mw_access *r;

	lanes_linear(lane, BASE + 0x800, 4);
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 1);
	expect_rec(&r[0], BASE + 0x800, 128, MW_OP_READ);
	free(r);
	/* misaligned by 4 B: five sectors */
	lanes_linear(lane, BASE + 0x804, 4);
	cr_assert_eq(one_instruction("LDG.E.SYS", lane, &r), 1);
	expect_rec(&r[0], BASE + 0x800, 160, MW_OP_READ);
	free(r);
	/* 32 lanes x 16 B */
	lanes_linear(lane, BASE, 16);
	cr_assert_eq(one_instruction("LDG.E.128.CONSTANT", lane, &r), 1);
	expect_rec(&r[0], BASE, 512, MW_OP_READ);
	free(r);
	/* 32 lanes x 8 B, misaligned by 8: 9 sectors */
	lanes_linear(lane, BASE + 8, 8);
	cr_assert_eq(one_instruction("LDG.E.64", lane, &r), 1);
	expect_rec(&r[0], BASE, 288, MW_OP_READ);
	free(r);
}

Test(nvbit, strided_same_address_and_inactive_lanes)
{
	uint64_t lane[32];
	struct mw_access *r;
	int i;

	lanes_linear(lane, BASE, 128);
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 32);
	for (i = 0; i < 32; i++)
		expect_rec(&r[i], BASE + 128 * (uint64_t)i, 32, MW_OP_READ);
	free(r);
	for (i = 0; i < 32; i++)
		lane[i] = BASE + 0x44;
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 1);
	expect_rec(&r[0], BASE + 0x40, 32, MW_OP_READ);
	free(r);
	/* lanes 16..31 inactive: 64 B; odd lanes off: still one run */
	lanes_linear(lane, BASE, 4);
	for (i = 16; i < 32; i++)
		lane[i] = 0;
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 1);
	expect_rec(&r[0], BASE, 64, MW_OP_READ);
	free(r);
	lanes_linear(lane, BASE, 64);
	for (i = 1; i < 32; i += 2)
		lane[i] = 0;
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 16);
	expect_rec(&r[1], BASE + 128, 32, MW_OP_READ);
	free(r);
	/* no active lane: nothing */
	memset(lane, 0, sizeof(lane));
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 0);
	free(r);
}

Test(nvbit, lane_order_and_sector_crossing)
{
	uint64_t lane[32];
	struct mw_access *r;
	int i;

	/* descending lanes come out in address order */
	for (i = 0; i < 32; i++)
		lane[i] = BASE + 4096 - 256 * (uint64_t)i;
	cr_assert_eq(one_instruction("LDG.E", lane, &r), 32);
	for (i = 0; i < 32; i++)
		expect_rec(&r[i], BASE + 4096 - 256 * (uint64_t)(31 - i), 32,
			   MW_OP_READ);
	free(r);
	/* one 8-byte lane across a sector boundary: two sectors */
	memset(lane, 0, sizeof(lane));
	lane[7] = BASE + 0x1c;
	cr_assert_eq(one_instruction("LDG.E.64", lane, &r), 1);
	expect_rec(&r[0], BASE, 64, MW_OP_READ);
	free(r);
	/* widths: U8 = 1, S16 = 2, .256 = 32 */
	lane[7] = BASE + 0x1f;
	cr_assert_eq(one_instruction("LDG.E.U8", lane, &r), 1);
	expect_rec(&r[0], BASE, 32, MW_OP_READ);
	free(r);
	cr_assert_eq(one_instruction("LDG.E.S16", lane, &r), 1);
	expect_rec(&r[0], BASE, 64, MW_OP_READ);
	free(r);
	lane[7] = BASE + 0x20;
	cr_assert_eq(one_instruction("LDG.E.ENL2.256", lane, &r), 1);
	expect_rec(&r[0], BASE + 0x20, 32, MW_OP_READ);
	free(r);
}

/* ---- random instructions against the reference ---------------------------------- */

struct rand_op {
	const char *text;
	uint32_t size;
	int kind; /* 0 read, 1 write, 2 atomic */
};

static const struct rand_op rand_ops[] = {
	{"LDG.E", 4, 0},
	{"LDG.E.64", 8, 0},
	{"LDG.E.128.SYS", 16, 0},
	{"LDG.E.U8.CONSTANT", 1, 0},
	{"LDG.E.S16", 2, 0},
	{"LD.E.128", 16, 0},
	{"LDG.E.ENL2.256", 32, 0},
	{"LDGSTS.E.BYPASS.LTC128B.128", 16, 0},
	{"STG.E", 4, 1},
	{"STG.E.U16", 2, 1},
	{"ST.E.64", 8, 1},
	{"STG.E.128", 16, 1},
	{"ATOMG.E.ADD.F32.FTZ.RN.STRONG.GPU", 4, 2},
	{"RED.E.ADD.F64.RN.STRONG.GPU", 8, 2},
	{"ATOM.E.CAS.64", 8, 2},
};

#define NOPS (sizeof(rand_ops) / sizeof(rand_ops[0]))

/* A base near a sector, a line, or the 4 GiB and 2^40 boundaries. */
static uint64_t rand_base(struct mw_rng *rng)
{
	static const uint64_t anchors[] = {BASE, 0x100000000ull,
					   0x1000000000ull, 0x10000000000ull,
					   0x7fffffffffe0ull};
	uint64_t a = anchors[mw_rng_below(rng, 5)];

	a += 32 * mw_rng_below(rng, 1 << 16);
	return a - 64 + mw_rng_below(rng, 128);
}

static void rand_lanes(struct mw_rng *rng, uint64_t *lane, uint32_t size)
{
	uint64_t base = rand_base(rng);
	uint64_t stride;
	int i, j;

	switch (mw_rng_below(rng, 6)) {
	case 0: /* contiguous */
		lanes_linear(lane, base, size);
		break;
	case 1: /* strided */
		stride = (uint64_t[]){4, 8, 16, 24, 32, 64, 128, 4096, 12}
			[mw_rng_below(rng, 9)];
		lanes_linear(lane, base, stride);
		break;
	case 2: /* scattered within a few KiB */
		for (i = 0; i < 32; i++)
			lane[i] = base + mw_rng_below(rng, 4096);
		break;
	case 3: /* scattered anywhere below 2^47 */
		for (i = 0; i < 32; i++)
			lane[i] = 1 + mw_rng_below(rng, 1ull << 47);
		break;
	case 4: /* all lanes the same address */
		for (i = 0; i < 32; i++)
			lane[i] = base;
		break;
	default: /* contiguous, lanes shuffled */
		lanes_linear(lane, base, size);
		for (i = 31; i > 0; i--) {
			uint64_t tmp;

			j = (int)mw_rng_below(rng, (uint64_t)i + 1);
			tmp = lane[i];
			lane[i] = lane[j];
			lane[j] = tmp;
		}
		break;
	}
	switch (mw_rng_below(rng, 4)) {
	case 0: /* all active */
		break;
	case 1: /* one active */
		j = (int)mw_rng_below(rng, 32);
		for (i = 0; i < 32; i++)
			if (i != j)
				lane[i] = 0;
		break;
	case 2: /* a random mask */
		for (i = 0; i < 32; i++)
			if (mw_rng_below(rng, 2))
				lane[i] = 0;
		break;
	default: /* a prefix (a partial last warp) */
		j = (int)mw_rng_below(rng, 33);
		for (i = j; i < 32; i++)
			lane[i] = 0;
		break;
	}
}

Test(nvbit, random_instructions_match_reference)
{
	enum {
		LINES = 3000,
		UNITS = 7
	};
	static struct mw_access want[LINES * 64];
	struct text t = {0};
	struct mw_rng rng;
	struct mw_access *got;
	struct mw_diag d;
	size_t nwant = 0;
	unsigned grid[2][3] = {{5, 3, 2}, {11, 1, 1}};
	long n;
	int i;

	mw_rng_seed(&rng, 42);
	launch(&t, 0, "void gemm<128, 64>(float const*, float*)", 5, 3, 2);
	launch(&t, 1, "second", 11, 1, 1);
	for (i = 0; i < LINES; i++) {
		const struct rand_op *op = &rand_ops[mw_rng_below(&rng, NOPS)];
		int l = (int)mw_rng_below(&rng, 2);
		unsigned x = (unsigned)mw_rng_below(&rng, grid[l][0]);
		unsigned y = (unsigned)mw_rng_below(&rng, grid[l][1]);
		unsigned z = (unsigned)mw_rng_below(&rng, grid[l][2]);
		uint16_t unit =
			(uint16_t)((x + grid[l][0] * (y + grid[l][1] * z)) %
				   UNITS);
		uint64_t lane[32];
		struct ref_rec ref[64];
		unsigned k, j;

		rand_lanes(&rng, lane, op->size);
		access_line(&t, (uint64_t)l, x, y, z, op->text, lane);
		k = ref_coalesce(lane, op->size, ref);
		if (!strncmp(op->text, "LDGSTS", 6) && all_below_4g(lane))
			k = 0; /* the shared operand of an async copy */
		for (j = 0; j < k; j++) {
			struct mw_access a = {
				ref[j].addr, ref[j].size, unit,
				op->kind == 1 ? MW_OP_WRITE : MW_OP_READ, 0};

			want[nwant++] = a;
			if (op->kind == 2) {
				a.op = MW_OP_WRITE;
				want[nwant++] = a;
			}
		}
	}
	n = read_text(&t, UNITS, false, &got, &d);
	cr_assert_eq(n, (long)nwant, "read %ld records, want %zu: %s", n, nwant,
		     d.msg);
	for (i = 0; i < n; i++)
		cr_assert(!memcmp(&got[i], &want[i], sizeof(*got)),
			  "record %d: 0x%llx %u u%u op%u, want 0x%llx %u u%u "
			  "op%u",
			  i, (unsigned long long)got[i].addr, got[i].size,
			  got[i].unit, got[i].op,
			  (unsigned long long)want[i].addr, want[i].size,
			  want[i].unit, want[i].op);
	free(got);
	free(t.s);
}

/* Every batch size gives the same records (pending atomics split). */
Test(nvbit, batch_sizes)
{
	struct text t = {0};
	struct mw_rng rng;
	struct mw_access *all, one[64];
	struct mw_diag d;
	struct mw_read_opts o = {.units = 3};
	char *path;
	long n, i;
	size_t cap;
	int k;

	mw_rng_seed(&rng, 7);
	launch(&t, 0, "k", 4, 4, 1);
	for (k = 0; k < 200; k++) {
		uint64_t lane[32];

		rand_lanes(&rng, lane, 8);
		access_line(&t, 0, (unsigned)k % 4, (unsigned)k / 4 % 4, 0,
			    "ATOMG.E.EXCH.64.STRONG.GPU", lane);
	}
	path = th_temp_file(".nvbit", t.s, t.len);
	n = th_read_all(path, &o, &all, &d);
	cr_assert_gt(n, 200);
	for (cap = 1; cap <= 64; cap = cap * 2 + 1) {
		struct mw_stream *s = mw_trace_open(path, &o, &d);
		long at = 0, got;

		cr_assert_not_null(s);
		while ((got = mw_stream_read(s, one, cap)) > 0) {
			cr_assert_leq(got, (long)cap);
			for (i = 0; i < got; i++)
				cr_assert(!memcmp(&one[i], &all[at + i],
						  sizeof(one[i])));
			at += got;
		}
		cr_assert_eq(got, 0);
		cr_assert_eq(at, n);
		mw_stream_destroy(s);
	}
	free(all);
	th_remove(path);
	free(t.s);
}

/* ---- units ---------------------------------------------------------------------- */

Test(nvbit, units_across_ctas_and_launches)
{
	struct text t = {0};
	struct mw_access *r;
	struct mw_diag d;
	uint64_t lane[32];
	long n;
	int x, y;

	lanes_linear(lane, BASE, 4);
	launch(&t, 0, "first", 3, 2, 1);
	for (y = 0; y < 2; y++)
		for (x = 0; x < 3; x++)
			access_line(&t, 0, (unsigned)x, (unsigned)y, 0, "LDG.E",
				    lane);
	launch(&t, 1, "second", 5, 1, 1);
	access_line(&t, 1, 0, 0, 0, "LDG.E", lane); /* restarts at 0 */
	access_line(&t, 1, 4, 0, 0, "LDG.E", lane);
	/* a late line of launch 0, after launch 1 began */
	access_line(&t, 0, 2, 1, 0, "LDG.E", lane);
	/* a launch never announced: x + 65536 y */
	access_line(&t, 9, 3, 1, 0, "LDG.E", lane);
	n = read_text(&t, 4, false, &r, &d);
	cr_assert_eq(n, 10, "%s", d.msg);
	for (x = 0; x < 6; x++)
		cr_assert_eq(r[x].unit, x % 4);
	cr_assert_eq(r[6].unit, 0);
	cr_assert_eq(r[7].unit, 0);
	cr_assert_eq(r[8].unit, 5 % 4);
	cr_assert_eq(r[9].unit, (3 + 65536) % 4);
	free(r);
	/* default: 132 units */
	n = read_text(&t, 0, false, &r, &d);
	cr_assert_eq(n, 10);
	cr_assert_eq(r[9].unit, (3 + 65536) % 132);
	free(r);
	free(t.s);
}

Test(nvbit, header_units_format_provenance)
{
	struct text t = {0};
	struct mw_read_opts o = {.units = 8};
	struct mw_stream *s;
	struct mw_diag d;
	const struct mw_trace_header *h;
	uint64_t lane[32];
	char *path;

	lanes_linear(lane, BASE, 4);
	add(&t, "Program starting\n");
	launch(&t, 3, "void k<(Op)1>(float*, int) - x - grid launch id 2", 4, 1,
	       1);
	access_line(&t, 3, 1, 0, 0, "LDG.E", lane);
	path = th_temp_file(".nvbit", t.s, t.len);
	s = mw_trace_open(path, &o, &d);
	cr_assert_not_null(s, "%s", d.msg);
	h = mw_stream_header(s);
	cr_assert_str_eq(h->format, "nvbit");
	cr_assert_eq(h->units, 8);
	cr_assert_eq(h->ntensors, 0);
	cr_assert(strstr(h->provenance, "void k<(Op)1>(float*, int) - x - grid "
					"launch id 2, "
					"grid 4,1,1"),
		  "%s", h->provenance);
	cr_assert(strstr(h->provenance, "8 units"), "%s", h->provenance);
	cr_assert_eq(mw_stream_file_size(s), t.len);
	mw_stream_destroy(s);
	o.units = MW_UNITS_MAX + 1;
	cr_assert_null(mw_trace_open(path, &o, &d));
	cr_assert_eq(d.code, MW_EINVAL);
	th_remove(path);
	free(t.s);
}

/* The variant without grid size, and access lines without a launch id. */
Test(nvbit, launch_without_grid_and_access_without_id)
{
	struct text t = {0};
	struct mw_access *r;
	struct mw_diag d;
	uint64_t lane[32];
	int i;

	lanes_linear(lane, BASE, 4);
	add(&t,
	    "MEMTRACE: CTX 0x%016llx - LAUNCH - Kernel pc 0x1 - Kernel "
	    "name k - grid launch id 0\n",
	    (unsigned long long)CTX);
	access_line(&t, 0, 2, 1, 0, "LDG.E", lane);
	launch(&t, 1, "k2", 4, 2, 1);
	add(&t, "MEMTRACE: CTX 0x%016llx - CTA 1,1,0 - warp 0 - STG.E - ",
	    (unsigned long long)CTX);
	for (i = 0; i < 32; i++)
		add(&t, "0x%016llx ", (unsigned long long)lane[i]);
	add(&t, "\n");
	cr_assert_eq(read_text(&t, 5, false, &r, &d), 2, "%s", d.msg);
	cr_assert_eq(r[0].unit, (2 + 65536) % 5);
	cr_assert_eq(r[1].unit, (1 + 4) % 5);
	cr_assert_eq(r[1].op, MW_OP_WRITE);
	free(r);
	free(t.s);
}

Test(nvbit, old_tool_syntax)
{
	struct text t = {0};
	struct mw_access *r;
	struct mw_diag d;
	uint64_t lane[32];

	lanes_linear(lane, BASE, 8);
	add(&t, "------------- NVBit (NVidia Binary Instrumentation Tool "
		"v1.4) Loaded --------------\n");
	/* before any Kernel line: x + 65536 y */
	access_line(&t, NO_LAUNCH, 1, 1, 0, "LDG.E.64", lane);
	add(&t, "Kernel vecAdd(double*, double*, double*, int) - grid size "
		"2,3,1 - block size 1024,1,1 - nregs 16 - shmem 0 - cuda "
		"stream id 0\n");
	access_line(&t, NO_LAUNCH, 1, 2, 0, "LDG.E.64", lane);
	access_line(&t, NO_LAUNCH, 0, 1, 0, "STG.E.64", lane);
	add(&t, "CTA 7 finished\n");	     /* program output */
	add(&t, "Kernel time: 3 ms - ok\n"); /* program output */
	cr_assert_eq(read_text(&t, 3, false, &r, &d), 3, "%s", d.msg);
	cr_assert_eq(r[0].unit, (1 + 65536) % 3);
	expect_rec(&r[0], BASE, 256, MW_OP_READ);
	cr_assert_eq(r[1].unit, (1 + 2 * 2) % 3);
	cr_assert_eq(r[2].unit, (0 + 2 * 1) % 3);
	expect_rec(&r[2], BASE, 256, MW_OP_WRITE);
	free(r);
	/* a CTA outside the old Kernel line's grid */
	access_line(&t, NO_LAUNCH, 2, 0, 0, "LDG.E", lane);
	cr_assert_eq(read_text(&t, 3, false, &r, &d), MW_EPARSE);
	cr_assert_eq(d.line, 8);
	cr_assert(strstr(d.msg, "outside"), "%s", d.msg);
	free(t.s);
}

/* ---- ops ------------------------------------------------------------------------ */

Test(nvbit, stores_atomics_async_copies)
{
	struct text t = {0};
	struct mw_stream *s;
	struct mw_access *r;
	struct mw_diag d;
	uint64_t lane[32], shared[32];
	char *path;
	long n;

	launch(&t, 0, "k", 1, 1, 1);
	lanes_linear(lane, BASE, 4);
	access_line(&t, 0, 0, 0, 0, "STG.E.STRONG.GPU", lane);
	lanes_linear(lane, BASE + 0x1000, 128);
	lane[1] = 0;
	access_line(&t, 0, 0, 0, 0, "RED.E.ADD.F32.FTZ.RN.STRONG.GPU", lane);
	/* LDGSTS: the shared operand (below 4 GiB) then the global one */
	lanes_linear(shared, 0x400, 16);
	lanes_linear(lane, 0x100000000ull, 16);
	access_line(&t, 0, 0, 0, 0, "LDGSTS.E.BYPASS.LTC128B.128", shared);
	access_line(&t, 0, 0, 0, 0, "LDGSTS.E.BYPASS.LTC128B.128", lane);
	path = th_temp_file(".nvbit", t.s, t.len);
	n = th_read_all(path, &(struct mw_read_opts){.units = 2}, &r, &d);
	cr_assert_eq(n, 1 + 2 * 31 + 1, "%s", d.msg);
	expect_rec(&r[0], BASE, 128, MW_OP_WRITE);
	expect_rec(&r[1], BASE + 0x1000, 32, MW_OP_READ);
	expect_rec(&r[2], BASE + 0x1000, 32, MW_OP_WRITE);
	expect_rec(&r[3], BASE + 0x1100, 32, MW_OP_READ);
	expect_rec(&r[62], BASE + 0x1000 + 31 * 128, 32, MW_OP_WRITE);
	expect_rec(&r[63], 0x100000000ull, 512, MW_OP_READ);
	free(r);
	s = mw_trace_open(path, &(struct mw_read_opts){.units = 2}, &d);
	cr_assert_not_null(s);
	th_drain(s, &r);
	free(r);
	cr_assert_eq(mw_stream_stats(s)->other_skipped, 2); /* launch, shared */
	cr_assert_eq(mw_stream_stats(s)->lines, 5);
	mw_stream_destroy(s);
	th_remove(path);
	free(t.s);
}

Test(nvbit, shared_local_and_other_lines_skipped_and_counted)
{
	static const char *const skipped_ops[] = {
		"LDS.U.128",  "STS.64",	       "LDL.64",
		"STL",	      "LDSM.16.M88.4", "ATOMS.ADD",
		"UTMALDG.2D", "CCTL.E.PF2",    "LDTM.x16",
	};
	struct text t = {0};
	struct mw_stream *s;
	struct mw_access *r;
	struct mw_diag d;
	uint64_t lane[32];
	char *path;
	unsigned i;

	lanes_linear(lane, 0x400, 4);
	add(&t, "NVBit core environment variables (mostly for nvbit-devs):\n");
	add(&t, "MEMTRACE: STARTING CONTEXT 0x55967fa50640\n");
	add(&t, "\n");
	launch(&t, 0, "k", 2, 1, 1);
	for (i = 0; i < sizeof(skipped_ops) / sizeof(skipped_ops[0]); i++)
		access_line(&t, 0, 1, 0, 0, skipped_ops[i], lane);
	lanes_linear(lane, BASE, 4);
	access_line(&t, 0, 1, 0, 0, "LDG.E", lane);
	memset(lane, 0, sizeof(lane));
	access_line(&t, 0, 1, 0, 0, "LDG.E", lane); /* no active lane */
	add(&t, "Result = PASS\n");
	path = th_temp_file(".txt", t.s, t.len);
	s = mw_trace_open(path, NULL, &d); /* detected by content */
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(th_drain(s, &r), 1);
	cr_assert_eq(mw_stream_stats(s)->other_skipped, 4 + 9 + 1 + 1);
	cr_assert_eq(mw_stream_stats(s)->lines, 16);
	cr_assert_eq(mw_stream_stats(s)->bad_skipped, 0);
	free(r);
	mw_stream_destroy(s);
	th_remove(path);
	free(t.s);
}

/* ---- malformed lines -------------------------------------------------------------- */

struct bad_case {
	const char *line;
	const char *why; /* part of the message */
};

#define A   "0x00007ff412a00000 "
#define A4  A A A A
#define A8  A4 A4
#define A31 A8 A8 A8 A4 A "0x00007ff412a00000 0x00007ff412a00000 "
#define PFX "MEMTRACE: CTX 0x000055967fa50640 - grid_launch_id 0 - CTA "

static const struct bad_case bad_cases[] = {
	{PFX "0,0,0 - warp 1 - LDG.E - " A31, "31 lane addresses"},
	{PFX "0,0,0 - warp 1 - LDG.E - " A31 A A, "more than 32"},
	{PFX "0,0,0 - warp 1 - LDG.E - " A31 "0x00007ff412g00000", "not a "
								   "64-bit "
								   "hexadecima"
								   "l"},
	{PFX "0,0,0 - warp 1 - LDG.E - " A31 "0x1ffffffffffffffff", "not a "
								    "64-bit "
								    "hexadecima"
								    "l"},
	{PFX "0,0,0 - warp 1 - LDG.E - " A31 "0x", "not a 64-bit"},
	{PFX "0,0,0 - warp 1 - LDG.E.128 - " A31 "0xfffffffffffffff8", "pass "
								       "the "
								       "end"},
	{PFX "2,0,0 - warp 1 - LDG.E - " A31 A, "outside the launch's grid"},
	{PFX "0,1,0 - warp 1 - LDG.E - " A31 A, "outside the launch's grid"},
	{PFX "0,0 - warp 1 - LDG.E - " A31 A, "bad CTA"},
	{PFX "-1,0,0 - warp 1 - LDG.E - " A31 A, "bad CTA"},
	{PFX "0,0,0 - LDG.E - " A31 A, "warp"},
	{PFX "0,0,0 - warp 1 - FROB.E - " A31 A, "unknown memory opcode"},
	{PFX "0,0,0 - warp 1 - LD$ - " A31 A, "bad opcode"},
	{PFX "0,0,0 - warp 1 -  - " A31 A, "bad opcode"},
	{PFX "0,0,0 - warp 1 - LDG.E " A31 A, "after the opcode"},
	{PFX "0,0,0 - warp 1 - LDG.E", "after the opcode"},
	{"MEMTRACE: CTX 0x000055967fa50640 - grid_launch_id 0 - CT", "grid_"
								     "launch_"
								     "id N - "
								     "CTA"},
	{"MEMTRACE: CTX 0xzz - grid_launch_id 0 - CTA 0,0,0", "bad context"},
	{"MEMTRACE: CTX 0x000055967fa50640 - LAUNCH - Kernel pc 0x1 - Kernel "
	 "name k - grid launch id 1 - grid size 0,1,1 - block size 1,1,1",
	 "bad grid size"},
	{"MEMTRACE: CTX 0x000055967fa50640 - LAUNCH - Kernel pc 0x1 - Kernel "
	 "name k - grid launch id 1 - grid size 1,65536,1",
	 "bad grid size"},
	{"MEMTRACE: CTX 0x000055967fa50640 - LAUNCH - Kernel pc 0x1 - grid "
	 "launch id 1",
	 "Kernel name"},
	{"MEMTRACE: CTX 0x000055967fa50640 - LAUNCH - Kernel pc 0x1 - Kernel "
	 "name k - grid launch id x1",
	 "bad grid launch id"},
	{"Kernel k - grid size 1,1 - block size 1,1,1", "bad grid size"},
	{"CTA 0,0,0 - warp 1 - LDG.E - " A31, "31 lane addresses"},
};

Test(nvbit, malformed_lines_name_file_line_and_reason)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct text t = {0};
		struct mw_access *r;
		struct mw_diag d;
		uint64_t lane[32];
		char *path;
		long n;

		lanes_linear(lane, BASE, 4);
		launch(&t, 0, "k", 2, 1, 1);
		access_line(&t, 0, 1, 0, 0, "LDG.E", lane);
		add(&t, "%s\n", bad_cases[i].line);
		access_line(&t, 0, 1, 0, 0, "LDG.E", lane);
		path = th_temp_file(".nvbit", t.s, t.len);
		n = th_read_all(path, NULL, &r, &d);
		cr_assert_eq(n, MW_EPARSE, "case %zu: %ld", i, n);
		cr_assert_eq(d.line, 3, "case %zu: line %llu", i,
			     (unsigned long long)d.line);
		cr_assert_str_eq(d.file, path);
		cr_assert(strstr(d.msg, bad_cases[i].why),
			  "case %zu: '%s' lacks '%s'", i, d.msg,
			  bad_cases[i].why);
		/* skipped on request */
		n = th_read_all(path, &(struct mw_read_opts){.skip_bad = true},
				&r, &d);
		cr_assert_eq(n, 2, "case %zu: %ld %s", i, n, d.msg);
		free(r);
		th_remove(path);
		free(t.s);
	}
}

/* Records before a bad line come out first; the error follows. */
Test(nvbit, error_after_good_records)
{
	struct text t = {0};
	struct mw_access buf[100];
	struct mw_stream *s;
	struct mw_diag d;
	uint64_t lane[32];
	char *path;

	lanes_linear(lane, BASE, 128);
	launch(&t, 0, "k", 2, 1, 1);
	access_line(&t, 0, 1, 0, 0, "LDG.E", lane);
	add(&t, PFX "5,0,0 - warp 1 - LDG.E - " A31 A "\n");
	path = th_temp_file(".nvbit", t.s, t.len);
	s = mw_trace_open(path, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(mw_stream_read(s, buf, 100), 32);
	cr_assert_eq(mw_stream_read(s, buf, 100), MW_EPARSE);
	cr_assert_eq(mw_stream_diag(s)->line, 3);
	cr_assert_eq(mw_stream_read(s, buf, 100), MW_EPARSE);
	mw_stream_destroy(s);
	/* a bad line before the first access fails the open */
	free(t.s);
	t = (struct text){0};
	add(&t, "MEMTRACE: CTX 0x1 - LAUNCH - nothing\n");
	access_line(&t, 0, 1, 0, 0, "LDG.E", lane);
	th_remove(path);
	path = th_temp_file(".nvbit", t.s, t.len);
	cr_assert_null(mw_trace_open(path, NULL, &d));
	cr_assert_eq(d.code, MW_EPARSE);
	cr_assert_eq(d.line, 1);
	th_remove(path);
	free(t.s);
}

Test(nvbit, skip_bad_counts)
{
	struct text t = {0};
	struct mw_stream *s;
	struct mw_access *r;
	struct mw_diag d;
	uint64_t lane[32];
	char *path;
	int i;

	lanes_linear(lane, BASE, 4);
	add(&t, "MEMTRACE: CTX 0x1 - LAUNCH - bad\n");
	for (i = 0; i < 10; i++) {
		access_line(&t, 0, 0, 0, 0, "LDG.E", lane);
		add(&t, PFX "0,0,0 - warp 1 - XYZ - " A31 A "\n");
	}
	path = th_temp_file(".nvbit", t.s, t.len);
	s = mw_trace_open(path, &(struct mw_read_opts){.skip_bad = true}, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(th_drain(s, &r), 10);
	cr_assert_eq(mw_stream_stats(s)->bad_skipped, 11);
	cr_assert_eq(mw_stream_stats(s)->lines, 21);
	free(r);
	mw_stream_destroy(s);
	th_remove(path);
	free(t.s);
}

/*
 * Every byte value at every digit of an address: hexadecimal digits of
 * either case parse to the right value, anything else is malformed.
 */
Test(nvbit, every_byte_in_every_digit)
{
	struct text t = {0};
	struct mw_access *r;
	struct mw_diag d;
	struct mw_stream *s;
	static uint64_t want[256 * 16];
	size_t nwant = 0;
	char *path;
	int c, pos, i;
	long n;

	for (pos = 0; pos < 16; pos++) {
		for (c = 1; c < 256; c++) {
			char digits[17] = "00007ff412a00860";
			bool hex = (c >= '0' && c <= '9') ||
				   (c >= 'a' && c <= 'f') ||
				   (c >= 'A' && c <= 'F');

			if (c == '\n')
				continue;
			digits[pos] = (char)c;
			add(&t, PFX "0,0,0 - warp 1 - LDG.E - ");
			for (i = 0; i < 32; i++) {
				if (i != 5) {
					add(&t, "0x0000000000000000 ");
					continue;
				}
				add(&t, "0x%16s ", "");
				memcpy(t.s + t.len - 17, digits, 16);
			}
			add(&t, "\n");
			/* a blank as the last digit only shortens the
			   address: blanks between addresses may repeat */
			if (hex || ((c == ' ' || c == '\t') && pos == 15))
				want[nwant++] = strtoull(digits, NULL, 16) &
						~31ull;
		}
	}
	path = th_temp_file(".nvbit", t.s, t.len);
	s = mw_trace_open(path,
			  &(struct mw_read_opts){.skip_bad = true,
						 .format = "nvbit"},
			  &d);
	cr_assert_not_null(s, "%s", d.msg);
	n = th_drain(s, &r);
	cr_assert_eq(n, (long)nwant);
	for (i = 0; i < n; i++)
		cr_assert_eq(r[i].addr, want[i], "record %d", i);
	cr_assert_eq(nwant, 16 * 22 + 2);
	cr_assert_eq(mw_stream_stats(s)->bad_skipped, 16 * 254 - nwant);
	free(r);
	mw_stream_destroy(s);
	th_remove(path);
	free(t.s);
}

/* ---- files --------------------------------------------------------------------------- */

static void big_trace(struct text *t, int lines)
{
	uint64_t lane[32];
	int i;

	launch(t, 0, "k", 64, 1, 1);
	for (i = 0; i < lines; i++) {
		lanes_linear(lane, BASE + 4096 * (uint64_t)i, 4);
		access_line(t, 0, (unsigned)i % 64, 0, 0, "LDG.E", lane);
	}
}

Test(nvbit, gzip_and_truncated_gzip)
{
	struct text t = {0};
	struct mw_access *r;
	struct mw_diag d;
	char *gz, *cut, *data;
	size_t len;
	long n;

	big_trace(&t, 2000);
	gz = th_temp_gz(".nvbit.gz", t.s, t.len);
	n = th_read_all(gz, NULL, &r, &d);
	cr_assert_eq(n, 2000, "%s", d.msg);
	cr_assert_eq(r[1999].addr, BASE + 4096 * 1999ull);
	cr_assert_eq(r[1999].unit, 1999 % 64);
	free(r);
	data = th_slurp(gz, &len);
	cut = th_temp_file(".nvbit.gz", data, len / 2);
	n = th_read_all(cut, NULL, &r, &d);
	cr_assert_eq(n, MW_ETRUNC, "%ld %s", n, d.msg);
	/* and under --skip-bad too: damage is not a malformed line */
	n = th_read_all(cut, &(struct mw_read_opts){.skip_bad = true}, &r, &d);
	cr_assert_eq(n, MW_ETRUNC);
	free(data);
	th_remove(cut);
	th_remove(gz);
	free(t.s);
}

Test(nvbit, detection)
{
	const struct mw_format *f = mw_format_find("nvbit");
	struct text t = {0};
	uint64_t lane[32];

	cr_assert_not_null(f);
	cr_assert_eq(mw_format_by_extension("run.nvbit.gz"), f);
	cr_assert_eq(mw_format_by_extension("run.memtrace"), f);
	cr_assert_eq(f->detect("MEMTRACE: CTX 0x1", 17), 100);
	lanes_linear(lane, BASE, 4);
	add(&t, "------------- NVBit (NVidia Binary Instrumentation Tool "
		"v1.5.5) Loaded --------------\n");
	cr_assert_eq(f->detect(t.s, t.len), 50);
	access_line(&t, NO_LAUNCH, 0, 0, 0, "LDG.E", lane);
	cr_assert_eq(f->detect(t.s, t.len), 80);
	access_line(&t, 0, 0, 0, 0, "LDG.E", lane);
	cr_assert_eq(f->detect(t.s, t.len), 95);
	cr_assert_eq(f->detect("0 7fff5a10\n1 7fff5a18\n", 22), 0);
	cr_assert_eq(f->detect("", 0), 0);
	free(t.s);
}

Test(nvbit, empty_and_overlong)
{
	struct text t = {0};
	struct mw_access *r;
	struct mw_diag d;
	char *path = th_temp_file(".nvbit", "", 0);

	cr_assert_eq(th_read_all(path,
				 &(struct mw_read_opts){.format = "nvbit"}, &r,
				 &d),
		     0);
	free(r);
	th_remove(path);
	t.cap = (1u << 20) + 100;
	t.s = malloc(t.cap);
	memcpy(t.s, "MEMTRACE: CTX ", 14);
	memset(t.s + 14, '0', (1u << 20) + 10);
	t.len = (1u << 20) + 24;
	t.s[t.len++] = '\n';
	cr_assert_eq(read_text(&t, 0, true, &r, &d), MW_EPARSE);
	cr_assert(strstr(d.msg, "longer than"), "%s", d.msg);
	free(t.s);
}

Test(nvbit, allocation_failures)
{
	struct text t = {0};
	uint64_t lane[32];
	char *path;
	long k, ok = 0;
	int i;

	lanes_linear(lane, BASE, 4);
	for (i = 0; i < 40; i++) {
		launch(&t, (uint64_t)i, "k", 1, 1, 1);
		access_line(&t, (uint64_t)i, 0, 0, 0, "LDG.E", lane);
	}
	path = th_temp_file(".nvbit", t.s, t.len);
	for (k = 0; k < 20; k++) {
		struct mw_diag d;
		struct mw_stream *s;
		struct mw_access *got;
		long n = -1;

		mw_alloc_fail_after(k);
		s = mw_trace_open(path, NULL, &d);
		if (s) {
			n = th_drain(s, &got);
			free(got);
			mw_stream_destroy(s);
		}
		mw_alloc_fail_after(-1);
		cr_assert(n == 40 || n == MW_ENOMEM ||
				  (!s && d.code == MW_ENOMEM),
			  "k %ld: %ld", k, n);
		ok += n == 40;
	}
	cr_assert_gt(ok, 0);
	th_remove(path);
	free(t.s);
}
