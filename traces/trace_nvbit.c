/*
 * trace_nvbit.c - NVIDIA NVBit mem_trace output (text), read-only.
 *
 * Lines the reader understands (NVBit's tools/mem_trace/mem_trace.cu):
 *
 *   current tool (NVBit 1.5 and later):
 *     MEMTRACE: CTX 0x<ctx> - LAUNCH - Kernel pc 0x<pc> - Kernel name <name>
 *       - grid launch id <id> - grid size <gx>,<gy>,<gz> - block size ...
 *     MEMTRACE: CTX 0x<ctx> - grid_launch_id <id> - CTA <x>,<y>,<z>
 *       - warp <w> - <OPCODE> - 0x<lane 0> 0x<lane 1> ... 0x<lane 31>
 *   old tool (NVBit 1.4 and earlier):
 *     Kernel <name> - grid size <gx>,<gy>,<gz> - block size ...
 *     CTA <x>,<y>,<z> - warp <w> - <OPCODE> - 0x<lane 0> ... 0x<lane 31>
 *
 * One access line is one warp instruction (one memory operand of it).
 * The reader turns it into the 32-byte sectors its active lanes touch,
 * merged into maximal runs of consecutive sectors, one record per run in
 * address order, issued by the unit the CTA is placed on.
 *
 * Notes:
 *  - Lanes printing 0x0000000000000000 are inactive (mem_trace does not
 *    print the active mask; NVBit issue #130).  A line with no active lane
 *    holds no access.
 *  - The bytes per lane come from the opcode, as Accel-Sim's trace parser
 *    takes them: the first dot-separated token that is a bit width (8 to
 *    256, a multiple of 8), bare or after U, S or F (LDG.E.128 = 16 B,
 *    LDG.E.64 = 8 B, LDG.E.U8 = 1 B, RED.E.ADD.F64 = 8 B), else 4 B.
 *    Accel-Sim reads only the bare and U forms, so it takes S8, S16 and
 *    F64 operands for 4 B; every width it does read is the same here.
 *  - A lane's bytes may cross a sector boundary; they then count in both
 *    sectors.  Runs can reach 64 sectors (32 lanes x 32 B): 2 KiB.
 *  - Ops by the opcode's first token: LDG, LD (generic) read; STG, ST
 *    write; LDGSTS (cp.async) reads its global operand.  mem_trace prints
 *    one line per memory operand, so an LDGSTS also yields a line for its
 *    shared-memory destination; that line is recognized by its addresses,
 *    all below 4 GiB (shared-window offsets are 32-bit; device
 *    allocations lie above 4 GiB on 64-bit hosts), and dropped.
 *  - Atomics and reductions (ATOM, ATOMG, RED, REDG) are performed at the
 *    L2: each run becomes a read and then a write of the same bytes.  The
 *    read makes the L2 fetch the old data on a miss (the atomic unit
 *    needs it even when the lanes cover whole sectors) and the write
 *    leaves the line dirty, so DRAM bytes are right whatever the L2's
 *    write-allocate policy.  Costs: two L2 accesses per atomic
 *    transaction, and an L1 read that hardware would not make (atomics
 *    bypass the L1).
 *  - Shared, local and tensor-memory ops (LDS, STS, LDSM, STSM, ATOMS,
 *    LDL, STL, LDTM, STTM, ...) are not global traffic; ops with no per-lane global addresses (TMA
 *    and bulk copies, texture, surface, cache control, constant loads)
 *    are not modelled.  Their lines are checked, then dropped and counted
 *    in other_skipped, as are launch lines, NVBit's own messages and the
 *    program's output interleaved with the trace.  An access line whose
 *    opcode is none of these is malformed (so nothing is dropped
 *    silently); --skip-bad skips it.
 *  - Generic LD/ST/ATOM addresses are taken as global: a generic pointer
 *    into the shared or local window would be counted as global traffic.
 *  - Units: trace lines name no SM.  The CTA's linear id within its
 *    launch, x + y*gx + z*gx*gy (grid from the launch line), goes to unit
 *    id % units, units = --units or 132 (H100 SXM).  Every launch starts
 *    again at unit 0.  Launches are found by (context, grid launch id), so
 *    lines of a launch may come after the next launch line (the tool
 *    prints them from another thread).  An access of a launch with no
 *    launch line, or a launch line without grid size, uses
 *    x + 65536*y + 65536^2*z instead: exact round robin for 1-D grids,
 *    rows shifted by 65536 mod units for 2-D ones.  Old-format access
 *    lines belong to the latest "Kernel" line.
 *  - The header is fixed at open: the reader reads ahead to the first
 *    line that yields records (they wait for the first read) so that the
 *    provenance can name the first kernel.  A malformed line before it
 *    makes the open fail, with its line number.
 *  - The launch table keeps one entry (about 40 B) per launch line.
 */
#include "traces/format_impl.h"
#include "traces/stream_impl.h"
#include "traces/textread.h"

#include "common/alloc.h"
#include "common/hot.h"

#include <stdio.h>
#include <string.h>
#if defined(__SSE2__) && !defined(MW_NVBIT_SWAR)
#include <emmintrin.h>
#endif

#define NV_LANES	 32
#define NV_SECTOR_SHIFT	 5 /* 32-byte sectors */
#define NV_DEFAULT_UNITS 132
#define NV_GRID_X_MAX	 2147483647u /* CUDA grid limits */
#define NV_GRID_YZ_MAX	 65535u
#define NV_SHARED_LIMIT	 (1ull << 32)
#define NV_PEND_MAX	 (2 * NV_LANES) /* runs x (read + write) */
#define NV_NAME_MAX	 160		/* kernel name kept for provenance */
#define NV_OP_MAX	 96		/* longest opcode accepted */
#define NV_OPCACHE	 16		/* opcodes remembered, a power of 2 */
#define NV_BANNER	 "NVBit (NVidia Binary Instrumentation Tool"

enum nv_class {
	NV_READ,       /* global or generic load */
	NV_WRITE,      /* global or generic store */
	NV_ATOMIC,     /* read-modify-write at the L2 */
	NV_ASYNC_COPY, /* LDGSTS: global operand read, shared one dropped */
	NV_SHARED,     /* shared or local memory: no global traffic */
	NV_UNMODELLED, /* no per-lane global addresses */
	NV_UNKNOWN
};

struct nv_opclass {
	const char *base; /* opcode up to the first '.' */
	enum nv_class cls;
};

static const struct nv_opclass nv_ops[] = {
	{"LDG", NV_READ},
	{"LD", NV_READ},
	{"STG", NV_WRITE},
	{"ST", NV_WRITE},
	{"ATOMG", NV_ATOMIC},
	{"ATOM", NV_ATOMIC},
	{"RED", NV_ATOMIC},
	{"REDG", NV_ATOMIC},
	{"LDGSTS", NV_ASYNC_COPY},
	{"LDS", NV_SHARED},
	{"STS", NV_SHARED},
	{"LDSM", NV_SHARED},
	{"STSM", NV_SHARED},
	{"ATOMS", NV_SHARED},
	{"LDL", NV_SHARED},
	{"STL", NV_SHARED},
	{"SYNCS", NV_SHARED},
	{"STAS", NV_SHARED},
	{"LDSLK", NV_SHARED},
	{"STSCUL", NV_SHARED},
	{"STSUL", NV_SHARED},
	{"CCTLL", NV_SHARED},
	{"LDTM", NV_SHARED}, /* Blackwell tensor memory: on chip */
	{"STTM", NV_SHARED},
	{"CCTL", NV_UNMODELLED},
	{"LDC", NV_UNMODELLED},
	{"ULDC", NV_UNMODELLED},
	{"UTMALDG", NV_UNMODELLED},
	{"UTMASTG", NV_UNMODELLED},
	{"UTMAPF", NV_UNMODELLED},
	{"UTMAREDG", NV_UNMODELLED},
	{"UTMACCTL", NV_UNMODELLED},
	{"UBLKCP", NV_UNMODELLED},
	{"UBLKRED", NV_UNMODELLED},
	{"UBLKPF", NV_UNMODELLED},
	{"SULD", NV_UNMODELLED},
	{"SUST", NV_UNMODELLED},
	{"SURED", NV_UNMODELLED},
	{"SUATOM", NV_UNMODELLED},
	{"SUQUERY", NV_UNMODELLED},
	{"TEX", NV_UNMODELLED},
	{"TLD", NV_UNMODELLED},
	{"TLD4", NV_UNMODELLED},
	{"TMML", NV_UNMODELLED},
	{"TXD", NV_UNMODELLED},
	{"TXQ", NV_UNMODELLED},
	{"QSPC", NV_UNMODELLED},
};

struct nv_grid {
	uint32_t x, y, z; /* CTAs per dimension; 0 = unknown */
};

struct nv_launch {
	uint64_t ctx; /* CUDA context the launch ran in */
	uint64_t id;  /* grid launch id */
	struct nv_grid grid;
};

struct nv_reader {
	struct mw_text_reader t; /* first; t.pend points at pend */
	uint32_t units;
	struct mw_access pend[NV_PEND_MAX]; /* records of the last line */
	struct nv_launch *launches;	    /* owned, sorted by (id, ctx) */
	size_t nlaunches, launch_cap;
	size_t last_hit;	   /* index of the last launch looked up */
	struct nv_grid latest;	   /* the latest launch line's grid */
	struct nv_grid old_kernel; /* the latest old-format Kernel line */
	bool seen_access;	   /* an access line has been read */
	char first_name[NV_NAME_MAX + 4]; /* first kernel, for provenance */
	struct nv_grid first_grid;
	bool have_first;
	/* Opcodes seen and what they mean: a kernel has few. */
	struct nv_opcache {
		char text[NV_OP_MAX];
		size_t len; /* 0 = empty slot */
		enum nv_class cls;
		uint32_t size; /* bytes per lane */
	} ops[NV_OPCACHE];
};

/* ---- scanning helpers ---------------------------------------------------- */

/* Parsing position in a line; end points at its NUL. */
struct nv_cursor {
	const char *p, *end;
};

static bool eat(struct nv_cursor *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

#define EAT(c, lit) eat((c), (lit), sizeof(lit) - 1)

/* Decimal digits up to max; false on no digit or a larger value. */
static bool eat_dec(struct nv_cursor *c, uint64_t max, uint64_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;

	if (p == c->end || *p < '0' || *p > '9')
		return false;
	while (p < c->end && *p >= '0' && *p <= '9') {
		unsigned digit = (unsigned)(*p - '0');

		if (v > (max - digit) / 10)
			return false;
		v = v * 10 + digit;
		p++;
	}
	c->p = p;
	*out = v;
	return true;
}

/* Three decimals "a,b,c", each within its limit. */
static bool eat_triple(struct nv_cursor *c, uint64_t max_x, uint64_t max_yz,
		       uint64_t v[3])
{
	return eat_dec(c, max_x, &v[0]) && EAT(c, ",") &&
	       eat_dec(c, max_yz, &v[1]) && EAT(c, ",") &&
	       eat_dec(c, max_yz, &v[2]);
}

/* Length of the token at p (up to a space, a tab or the end). */
static size_t token_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != ' ' && *q != '\t')
		q++;
	return (size_t)(q - p);
}

#if defined(__SSE2__) && !defined(MW_NVBIT_SWAR)
/*
 * Sixteen hexadecimal digits (either case) at s, checked and converted in
 * one SSE2 register: a nibble per byte, then pairs of nibbles into bytes,
 * packed, and the byte order reversed (the first digit is the most
 * significant).  Bytes of 0x80 and above compare as negative: invalid.
 */
static inline bool hex16(const char *s, uint64_t *out)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	const __m128i l = _mm_or_si128(x, _mm_set1_epi8(0x20));
	__m128i digit, alpha, v;

	digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
			      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
	alpha = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
			      _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
	if (_mm_movemask_epi8(_mm_or_si128(digit, alpha)) != 0xffff)
		return false;
	v = _mm_add_epi8(_mm_and_si128(l, _mm_set1_epi8(0x0f)),
			 _mm_and_si128(alpha, _mm_set1_epi8(9)));
	v = _mm_or_si128(
		_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0x00ff)), 4),
		_mm_srli_epi16(v, 8));
	v = _mm_packus_epi16(v, v);
	*out = __builtin_bswap64((uint64_t)_mm_cvtsi128_si64(v));
	return true;
}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * Eight hexadecimal digits (either case) at s, all checked and converted
 * at once in a 64-bit word.  Bytes below 0x80 are added to without carries
 * between them, so "byte >= k" is the top bit of byte + (0x80 - k).
 */
static inline bool hex8(const char *s, uint64_t *out)
{
	const uint64_t top = 0x8080808080808080ull;
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t x, l, digit, alpha, v;

	memcpy(&x, s, 8);
	if (x & top)
		return false;
	l = x | 0x2020202020202020ull; /* lower case; digits unchanged */
	digit = (x + 0x50 * ones) & ~(x + 0x46 * ones); /* '0'..'9' */
	alpha = (l + 0x1f * ones) & ~(l + 0x19 * ones); /* 'a'..'f' */
	if (((digit | alpha) & top) != top)
		return false;
	v = (l & 0x0f * ones) + 9 * ((l >> 6) & ones); /* nibble per byte */
	v = ((v & 0x000f000f000f000full) << 4) |
	    ((v >> 8) & 0x000f000f000f000full);
	v = ((v & 0x000000ff000000ffull) << 8) |
	    ((v >> 16) & 0x000000ff000000ffull);
	*out = ((v & 0xffff) << 16) | ((v >> 32) & 0xffff);
	return true;
}

/* Sixteen hexadecimal digits at s. */
static inline bool hex16(const char *s, uint64_t *out)
{
	uint64_t hi, lo;

	if (!hex8(s, &hi) || !hex8(s + 8, &lo))
		return false;
	*out = hi << 32 | lo;
	return true;
}
#else
static inline bool hex16(const char *s, uint64_t *out)
{
	return mw_parse_hex_token(s, 16, out);
}
#endif

/* ---- opcodes --------------------------------------------------------------- */

static enum nv_class classify(const char *op, size_t n)
{
	size_t base = 0, i;

	while (base < n && op[base] != '.')
		base++;
	for (i = 0; i < sizeof(nv_ops) / sizeof(nv_ops[0]); i++)
		if (strlen(nv_ops[i].base) == base &&
		    !memcmp(nv_ops[i].base, op, base))
			return nv_ops[i].cls;
	return NV_UNKNOWN;
}

/* Bytes per lane from the opcode's width token (see the notes). */
static uint32_t lane_bytes(const char *op, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, k;
		uint64_t bits = 0;

		while (j < n && op[j] != '.')
			j++;
		k = i;
		if (j - i >= 2 &&
		    (op[i] == 'U' || op[i] == 'S' || op[i] == 'F'))
			k++;
		if (i > 0 && mw_parse_dec_token(op + k, j - k, &bits) &&
		    bits >= 8 && bits <= 256 && bits % 8 == 0)
			return (uint32_t)(bits / 8);
		i = j + 1;
	}
	return 4;
}

static bool valid_opcode(const char *op, size_t n)
{
	size_t i;

	if (n == 0 || n > NV_OP_MAX || op[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char ch = op[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

/* ---- coalescing ------------------------------------------------------------ */

struct nv_run {
	uint64_t first, last; /* sector numbers, inclusive */
};

/*
 * The maximal runs of consecutive 32-byte sectors that n lanes of size
 * bytes each touch, sorted; returns the count (at most n).  Lanes usually
 * come in address order, so runs are merged as they arrive and the sort
 * runs only for out-of-order lanes.
 */
static unsigned coalesce(const uint64_t *addr, unsigned n, uint32_t size,
			 struct nv_run *run)
{
	unsigned i, k = 0, j;
	bool sorted = true;

	for (i = 0; i < n; i++) {
		uint64_t a = addr[i] >> NV_SECTOR_SHIFT;
		uint64_t b = (addr[i] + size - 1) >> NV_SECTOR_SHIFT;

		if (k && a >= run[k - 1].first && a <= run[k - 1].last + 1) {
			if (b > run[k - 1].last)
				run[k - 1].last = b;
			continue;
		}
		if (k && a < run[k - 1].first)
			sorted = false;
		run[k].first = a;
		run[k].last = b;
		k++;
	}
	if (sorted)
		return k;
	for (i = 1; i < k; i++) {
		struct nv_run t = run[i];

		for (j = i; j > 0 && run[j - 1].first > t.first; j--)
			run[j] = run[j - 1];
		run[j] = t;
	}
	for (i = 1, j = 0; i < k; i++) {
		if (run[i].first <= run[j].last + 1) {
			if (run[i].last > run[j].last)
				run[j].last = run[i].last;
		} else {
			run[++j] = run[i];
		}
	}
	return j + 1;
}

/* ---- launches ---------------------------------------------------------------- */

static bool launch_less(uint64_t id, uint64_t ctx, const struct nv_launch *l)
{
	return id < l->id || (id == l->id && ctx < l->ctx);
}

/* Index of the first launch not less than (id, ctx). */
static size_t launch_lower(const struct nv_reader *r, uint64_t id, uint64_t ctx)
{
	size_t lo = 0, hi = r->nlaunches;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (launch_less(id, ctx, &r->launches[mid]) ||
		    (r->launches[mid].id == id && r->launches[mid].ctx == ctx))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static const struct nv_grid *launch_find(struct nv_reader *r, uint64_t ctx,
					 uint64_t id)
{
	size_t i;

	if (r->last_hit < r->nlaunches && r->launches[r->last_hit].id == id &&
	    r->launches[r->last_hit].ctx == ctx)
		return &r->launches[r->last_hit].grid;
	i = launch_lower(r, id, ctx);
	if (i == r->nlaunches || r->launches[i].id != id ||
	    r->launches[i].ctx != ctx)
		return NULL;
	r->last_hit = i;
	return &r->launches[i].grid;
}

/* Records a launch; a repeated (ctx, id) replaces the earlier one. */
static int launch_add(struct nv_reader *r, uint64_t ctx, uint64_t id,
		      const struct nv_grid *g)
{
	size_t i = launch_lower(r, id, ctx);

	if (i < r->nlaunches && r->launches[i].id == id &&
	    r->launches[i].ctx == ctx) {
		r->launches[i].grid = *g;
		return 0;
	}
	if (r->nlaunches == r->launch_cap) {
		size_t ncap = r->launch_cap ? r->launch_cap * 2 : 16;
		struct nv_launch *nl =
			mw_reallocarray(r->launches, ncap, sizeof(*nl));

		if (!nl)
			return MW_ENOMEM;
		r->launches = nl;
		r->launch_cap = ncap;
	}
	memmove(&r->launches[i + 1], &r->launches[i],
		(r->nlaunches - i) * sizeof(*r->launches));
	r->launches[i].ctx = ctx;
	r->launches[i].id = id;
	r->launches[i].grid = *g;
	r->nlaunches++;
	r->last_hit = i;
	return 0;
}

/* ---- lines --------------------------------------------------------------- */

static void note_first(struct nv_reader *r, const char *name, size_t n,
		       const struct nv_grid *g)
{
	if (r->have_first || r->seen_access)
		return;
	r->have_first = true;
	if (n > NV_NAME_MAX) {
		memcpy(r->first_name, name, NV_NAME_MAX);
		memcpy(r->first_name + NV_NAME_MAX, "...", 4);
	} else {
		memcpy(r->first_name, name, n);
		r->first_name[n] = '\0';
	}
	r->first_grid = *g;
}

/* The last occurrence of lit in [p, end), or NULL. */
static const char *find_last(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	const char *q;

	if ((size_t)(end - p) < n)
		return NULL;
	for (q = end - n;; q--) {
		if (!memcmp(q, lit, n))
			return q;
		if (q == p)
			return NULL;
	}
}

/* " - grid size X,Y,Z" at c, if there; fills g (zero when absent). */
static int eat_grid(struct nv_reader *r, struct nv_cursor *c, struct nv_grid *g)
{
	uint64_t v[3];

	memset(g, 0, sizeof(*g));
	if (!EAT(c, " - grid size "))
		return 0;
	if (!eat_triple(c, NV_GRID_X_MAX, NV_GRID_YZ_MAX, v) || !v[0] ||
	    !v[1] || !v[2])
		return mw_text_bad(&r->t, "bad grid size (want X,Y,Z with 1 <= "
					  "X < 2^31, "
					  "1 <= Y,Z <= 65535)");
	if (c->p != c->end && *c->p != ' ')
		return mw_text_bad(&r->t, "bad grid size");
	g->x = (uint32_t)v[0];
	g->y = (uint32_t)v[1];
	g->z = (uint32_t)v[2];
	return 0;
}

/* "LAUNCH - Kernel pc 0x.. - Kernel name N - grid launch id I[ - grid size ..]" */
static int parse_launch(struct nv_reader *r, struct nv_cursor *c, uint64_t ctx)
{
	const char *name, *tail;
	struct nv_grid g;
	uint64_t id;
	int err;

	name = memmem(c->p, (size_t)(c->end - c->p), "Kernel name ", 12);
	if (!name)
		return mw_text_bad(&r->t, "launch line without 'Kernel name'");
	name += 12;
	tail = find_last(name, c->end, " - grid launch id ");
	if (!tail)
		return mw_text_bad(&r->t, "launch line without 'grid launch "
					  "id'");
	if (tail == name)
		return mw_text_bad(&r->t, "launch line with an empty kernel "
					  "name");
	c->p = tail + 18;
	if (!eat_dec(c, UINT64_MAX, &id) || (c->p != c->end && *c->p != ' '))
		return mw_text_bad(&r->t, "bad grid launch id");
	err = eat_grid(r, c, &g);
	if (err)
		return err;
	err = launch_add(r, ctx, id, &g);
	if (err)
		return mw_diag_set(&r->t.base.diag, err, r->t.name,
				   mw_input_lineno(r->t.in), "out of memory");
	r->latest = g;
	note_first(r, name, (size_t)(tail - name), &g);
	r->t.base.stats.other_skipped++;
	return 0;
}

/* Old tool: "Kernel NAME - grid size X,Y,Z - block size ..." */
static int parse_old_kernel(struct nv_reader *r, struct nv_cursor *c)
{
	const char *name = c->p, *tail;
	struct nv_grid g;
	int err;

	tail = find_last(name, c->end, " - grid size ");
	if (!tail || tail == name)
		return mw_text_bad(&r->t, "kernel line with an empty kernel "
					  "name");
	c->p = tail;
	err = eat_grid(r, c, &g);
	if (err)
		return err;
	r->old_kernel = g;
	note_first(r, name, (size_t)(tail - name), &g);
	r->t.base.stats.other_skipped++;
	return 0;
}

/* The unit a CTA runs on; checks the CTA against the grid. */
static int cta_unit(struct nv_reader *r, const struct nv_grid *g,
		    const uint64_t cta[3], uint32_t *unit)
{
	uint64_t id;

	if (g && g->x) {
		if (cta[0] >= g->x || cta[1] >= g->y || cta[2] >= g->z)
			return mw_text_bad(&r->t,
					   "CTA %llu,%llu,%llu outside the "
					   "launch's "
					   "grid %u,%u,%u",
					   (unsigned long long)cta[0],
					   (unsigned long long)cta[1],
					   (unsigned long long)cta[2], g->x,
					   g->y, g->z);
		id = cta[0] +
		     (uint64_t)g->x * (cta[1] + (uint64_t)g->y * cta[2]);
	} else {
		id = cta[0] + 65536 * (cta[1] + 65536 * cta[2]);
	}
	*unit = (uint32_t)(id % r->units);
	return 0;
}

/*
 * A hexadecimal token at c (the tool prints "0x" and 16 digits; anything
 * else takes the slow path).  False when it is not a 64-bit number.
 */
static inline bool eat_hex(struct nv_cursor *c, uint64_t *v)
{
	const char *p = c->p, *end = c->end;
	size_t n;

	if (MW_LIKELY(end - p >= 18 && p[0] == '0' && p[1] == 'x' &&
		      (p + 18 == end || p[18] == ' ' || p[18] == '\t') &&
		      hex16(p + 2, v))) {
		c->p = p + 18;
		return true;
	}
	n = token_len(p, end);
	if (!mw_parse_hex_token(p, n, v))
		return false;
	c->p = p + n;
	return true;
}

/* Lane addresses at c: exactly 32 hexadecimal tokens. */
static int parse_lanes(struct nv_reader *r, struct nv_cursor *c, uint64_t *lane)
{
	unsigned i;

	for (i = 0; i < NV_LANES; i++) {
		while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
			c->p++;
		if (c->p == c->end)
			return mw_text_bad(&r->t,
					   "%u lane addresses, expected %u", i,
					   NV_LANES);
		if (!eat_hex(c, &lane[i])) {
			size_t n = token_len(c->p, c->end);

			return mw_text_bad(&r->t,
					   "lane %u address '%.*s' is not a "
					   "64-bit "
					   "hexadecimal number",
					   i, (int)(n > 40 ? 40 : n), c->p);
		}
	}
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	if (c->p != c->end)
		return mw_text_bad(&r->t, "more than %u lane addresses",
				   NV_LANES);
	return 0;
}

/*
 * "CTA x,y,z - warp w - OPCODE - addresses": one warp instruction of the
 * launch whose grid is g (NULL or zero: unknown).  Fills r->pend.
 */
static int parse_access(struct nv_reader *r, struct nv_cursor *c,
			const struct nv_grid *g)
{
	uint64_t cta[3], warp, lane[NV_LANES], active[NV_LANES];
	struct nv_run run[NV_LANES];
	struct nv_opcache *slot;
	const char *op;
	size_t opn;
	enum nv_class cls;
	uint32_t size, unit = 0;
	unsigned i, n = 0, k;
	bool below_4g = true;
	int err;

	r->seen_access = true;
	if (!eat_triple(c, NV_GRID_X_MAX, NV_GRID_YZ_MAX, cta))
		return mw_text_bad(&r->t, "bad CTA coordinates (want x,y,z "
					  "with x < 2^31, "
					  "y,z <= 65535)");
	if (!EAT(c, " - warp ") || !eat_dec(c, UINT32_MAX, &warp))
		return mw_text_bad(&r->t, "expected ' - warp N' after the CTA");
	if (!EAT(c, " - "))
		return mw_text_bad(&r->t, "expected ' - OPCODE - ' after the "
					  "warp");
	op = c->p;
	opn = token_len(op, c->end);
	c->p += opn;
	slot = opn ? &r->ops[(opn + (unsigned char)op[opn - 1] * 7u +
			      (unsigned char)op[opn / 2] * 3u) &
			     (NV_OPCACHE - 1)]
		   : &r->ops[0];
	if (!opn || opn != slot->len || memcmp(op, slot->text, opn)) {
		if (!valid_opcode(op, opn))
			return mw_text_bad(&r->t, "bad opcode '%.*s'",
					   (int)(opn > 40 ? 40 : opn), op);
		memcpy(slot->text, op, opn);
		slot->len = opn;
		slot->cls = classify(op, opn);
		slot->size = lane_bytes(op, opn);
	}
	cls = slot->cls;
	size = slot->size;
	if (!EAT(c, " - "))
		return mw_text_bad(&r->t, "expected ' - ' after the opcode");
	err = parse_lanes(r, c, lane);
	if (err)
		return err;
	if (cls == NV_UNKNOWN)
		return mw_text_bad(&r->t,
				   "unknown memory opcode '%.*s' (not a "
				   "global, "
				   "shared or local access memwall knows)",
				   (int)(opn > 40 ? 40 : opn), op);
	err = cta_unit(r, g, cta, &unit);
	if (err)
		return err;
	if (cls == NV_SHARED || cls == NV_UNMODELLED) {
		r->t.base.stats.other_skipped++;
		return 0;
	}
	for (i = 0; i < NV_LANES; i++) {
		if (!lane[i])
			continue;
		if (lane[i] > UINT64_MAX - (size - 1))
			return mw_text_bad(&r->t,
					   "lane %u: %u bytes at 0x%llx pass "
					   "the end "
					   "of the address space",
					   i, size,
					   (unsigned long long)lane[i]);
		if (lane[i] >= NV_SHARED_LIMIT)
			below_4g = false;
		active[n++] = lane[i];
	}
	if (n == 0 || (cls == NV_ASYNC_COPY && below_4g)) {
		r->t.base.stats.other_skipped++;
		return 0;
	}
	k = coalesce(active, n, size, run);
	for (i = 0; i < k; i++) {
		uint64_t addr = run[i].first << NV_SECTOR_SHIFT;
		uint32_t bytes = (uint32_t)(run[i].last - run[i].first + 1)
				 << NV_SECTOR_SHIFT;

		switch (cls) {
		case NV_WRITE:
			mw_text_push(&r->t, addr, bytes, unit, MW_OP_WRITE, 0);
			break;
		case NV_ATOMIC:
			mw_text_push(&r->t, addr, bytes, unit, MW_OP_READ, 0);
			mw_text_push(&r->t, addr, bytes, unit, MW_OP_WRITE, 0);
			break;
		default:
			mw_text_push(&r->t, addr, bytes, unit, MW_OP_READ, 0);
			break;
		}
	}
	return 0;
}

/* After "MEMTRACE: CTX ": a launch or an access line of the current tool. */
static int parse_memtrace(struct nv_reader *r, struct nv_cursor *c)
{
	uint64_t ctx, id;
	size_t n = token_len(c->p, c->end);
	const struct nv_grid *g;

	if (!eat_hex(c, &ctx))
		return mw_text_bad(&r->t, "bad context '%.*s'",
				   (int)(n > 40 ? 40 : n), c->p);
	if (!EAT(c, " - "))
		return mw_text_bad(&r->t, "expected ' - ' after the context");
	if (EAT(c, "LAUNCH - "))
		return parse_launch(r, c, ctx);
	if (EAT(c, "CTA ")) /* a tool that prints no launch id */
		return parse_access(r, c, &r->latest);
	if (!EAT(c, "grid_launch_id ") || !eat_dec(c, UINT64_MAX, &id) ||
	    !EAT(c, " - CTA "))
		return mw_text_bad(&r->t, "expected 'LAUNCH' or "
					  "'grid_launch_id N - CTA' "
					  "after the context");
	g = launch_find(r, ctx, id);
	return parse_access(r, c, g);
}

static bool starts(const char *line, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && !memcmp(line, lit, n);
}

/* One line: fills r->pend, or counts it as skipped; 0 or an error. */
static int parse_line(struct nv_reader *r, const char *line, size_t len)
{
	struct nv_cursor c = {line, line + len};

	if (EAT(&c, "MEMTRACE: ")) {
		if (EAT(&c, "CTX "))
			return parse_memtrace(r, &c);
		/* the tool's own messages (STARTING CONTEXT, ...) */
	} else if (starts(line, len, "CTA ")) {
		/* old tool; the program's own "CTA ..." output is left alone */
		if (memmem(line, len, " - warp ", 8)) {
			c.p += 4;
			return parse_access(r, &c, &r->old_kernel);
		}
	} else if (starts(line, len, "Kernel ") &&
		   memmem(line, len, " - grid size ", 13)) {
		c.p += 7;
		return parse_old_kernel(r, &c);
	}
	r->t.base.stats.other_skipped++;
	return 0;
}

static int nv_line(struct mw_text_reader *t, const char *line, size_t len)
{
	return parse_line((struct nv_reader *)t, line, len);
}

static void nv_destroy(struct mw_stream *s)
{
	struct nv_reader *r = (struct nv_reader *)s;

	mw_text_fini(&r->t);
	mw_free(r->launches);
	mw_free(r);
}

static const struct mw_stream_ops nv_stream_ops = {
	.name = "nvbit",
	.read = mw_text_read,
	.destroy = nv_destroy,
};

static int set_provenance(struct nv_reader *r)
{
	char text[NV_NAME_MAX + 256];

	if (r->have_first && r->first_grid.x)
		snprintf(text, sizeof(text),
			 "nvbit mem_trace; first kernel %s, grid %u,%u,%u; "
			 "CTAs round-robin over %u units",
			 r->first_name, r->first_grid.x, r->first_grid.y,
			 r->first_grid.z, r->units);
	else if (r->have_first)
		snprintf(text, sizeof(text),
			 "nvbit mem_trace; first kernel %s, grid size not "
			 "given; CTAs round-robin over %u units",
			 r->first_name, r->units);
	else
		snprintf(text, sizeof(text),
			 "nvbit mem_trace; no launch line before the first "
			 "access; CTAs round-robin over %u units",
			 r->units);
	return mw_header_set_provenance(&r->t.base.hdr, text);
}

static struct mw_stream *
nv_open(struct mw_input *in, const struct mw_read_opts *o, struct mw_diag *d)
{
	struct nv_reader *r = mw_text_alloc(sizeof(*r), in, &nv_stream_ops,
					    "nvbit", o->skip_bad, nv_line, d);
	int got;

	if (!r)
		return NULL;
	r->t.pend = r->pend;
	r->units = o->units ? o->units : NV_DEFAULT_UNITS;
	if (r->units > MW_UNITS_MAX) {
		mw_diag_set(d, MW_EINVAL, r->t.name, 0,
			    "%u units; at most %d can be simulated", r->units,
			    MW_UNITS_MAX);
		goto out_destroy;
	}
	r->t.base.hdr.units = r->units;
	/* Read up to the first access line, so the header can name the
	   first kernel; its records wait in pend. */
	do {
		got = mw_text_next(&r->t);
	} while (got > 0 && !r->seen_access);
	if (got < 0) {
		*d = r->t.base.diag;
		goto out_destroy;
	}
	if (set_provenance(r)) {
		mw_diag_set(d, MW_ENOMEM, r->t.name, 0, "out of memory");
		goto out_destroy;
	}
	return &r->t.base;

out_destroy:
	mw_stream_destroy(&r->t.base);
	return NULL;
}

/* True when [p, p + n) is an old-tool access line: "CTA x,y,z - warp ". */
static bool old_access_shape(const char *p, size_t n)
{
	struct nv_cursor c = {p, p + n};
	uint64_t v[3];

	return EAT(&c, "CTA ") &&
	       eat_triple(&c, NV_GRID_X_MAX, NV_GRID_YZ_MAX, v) &&
	       EAT(&c, " - warp ");
}

static int nv_detect(const char *head, size_t n)
{
	const char *p = head, *end = head + n;
	int score = 0;

	if (n >= 9 && !memcmp(head, "MEMTRACE:", 9))
		return 100;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		if (starts(p, len, "MEMTRACE: CTX "))
			return 95;
		if (old_access_shape(p, len) && score < 80)
			score = 80;
		if (memmem(p, len, NV_BANNER, sizeof(NV_BANNER) - 1) &&
		    score < 50)
			score = 50;
		if (!nl)
			break;
		p = nl + 1;
	}
	return score;
}

const struct mw_format mw_format_nvbit = {
	.name = "nvbit",
	.summary = "NVIDIA NVBit mem_trace output: warp instructions "
		   "coalesced into 32-byte sector runs",
	.extensions = ".nvbit .memtrace",
	.detect = nv_detect,
	.open = nv_open,
	.create = NULL,
};
