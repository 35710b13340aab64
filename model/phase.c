/*
 * phase.c - the steps of each kind of kernel launch, as scheduler work.
 *
 * Notes:
 *  - Record granularity: a tile is loaded row by row (column by column
 *    for a column-major operand); each contiguous run of bytes is cut at
 *    128-byte boundaries, one record per piece.  That is the request a
 *    warp's coalesced load sends to L1 (one 128-byte line, four 32-byte
 *    sectors); records never straddle a line, so the L1 sees exactly the
 *    requests a GPU's load/store unit issues and no byte is fetched that
 *    the tile does not hold.  Edge tiles are clipped to the matrix.
 *  - GEMM CTA (CUTLASS/Triton mainloop): step j loads the A tile
 *    BM x BK and the B tile(s) BK x BN of k-tile j of its slice; the last
 *    step stores the C tile (fp32 workspace slice under split-K).  Grid
 *    order: split slice slowest (blockIdx.z), then batch, then the tile
 *    rasterization within the 2-D tile grid.
 *  - Rows pass (softmax, activation, split-K reduction, decode combine):
 *    one step per input tile (per slice), then one step storing all
 *    outputs' tiles.
 *  - Flash (FlashAttention-2 forward): step 0 loads the Q block, then one
 *    step per KV block in reverse order (the kernel's masked blocks
 *    first) loading K and V, then a step storing O and the fp32 LSE.
 *  - Decode: step 0 loads the CTA's query rows (q-len x heads-per-cta)
 *    and its block-table entries; one step per chunk of block-kv tokens
 *    loads, per token, the K row and the V row of its KV head (d
 *    contiguous elements, vLLM/FA2 paged layout [pages, page, Hkv, d]);
 *    the last step stores O (or fp32 partial O and LSE under split-KV).
 */
#include "model/kernel_int.h"

#include <assert.h>

static inline size_t emit_run(uint64_t addr, uint64_t len, uint8_t op,
			      uint8_t tensor, struct mw_access *out)
{
	size_t n = 0;

	while (len) {
		uint64_t room = MW_SEG_BYTES - (addr & (MW_SEG_BYTES - 1));
		uint64_t take = len < room ? len : room;

		out[n].addr = addr;
		out[n].size = (uint32_t)take;
		out[n].unit = 0;
		out[n].op = op;
		out[n].tensor = tensor;
		n++;
		addr += take;
		len -= take;
	}
	return n;
}

static inline uint64_t run_records(uint64_t addr, uint64_t len)
{
	uint64_t head, n;

	if (!len)
		return 0;
	head = MW_SEG_BYTES - (addr & (MW_SEG_BYTES - 1));
	if (len <= head)
		return 1;
	n = 1 + (len - head) / MW_SEG_BYTES;
	return n + ((len - head) % MW_SEG_BYTES != 0);
}

/* Clips [r0, r0+nr) x [c0, c0+nc) to the view; false if empty. */
static bool clip(const struct mw_mat *m, uint64_t r0, uint64_t *nr, uint64_t c0,
		 uint64_t *nc)
{
	if (r0 >= m->rows || c0 >= m->cols)
		return false;
	if (*nr > m->rows - r0)
		*nr = m->rows - r0;
	if (*nc > m->cols - c0)
		*nc = m->cols - c0;
	return *nr && *nc;
}

size_t mw_emit_tile(const struct mw_mat *m, uint64_t off, uint64_t r0,
		    uint64_t nr, uint64_t c0, uint64_t nc, uint8_t op,
		    struct mw_access *out)
{
	size_t n = 0;
	uint64_t i, base = m->base + off;

	if (!clip(m, r0, &nr, c0, &nc))
		return 0;
	if (!m->colmajor) {
		for (i = r0; i < r0 + nr; i++)
			n += emit_run(base + (i * m->ld + c0) * m->e, nc * m->e,
				      op, m->tensor, out + n);
	} else {
		for (i = c0; i < c0 + nc; i++)
			n += emit_run(base + (i * m->ld + r0) * m->e, nr * m->e,
				      op, m->tensor, out + n);
	}
	return n;
}

uint64_t mw_tile_records(const struct mw_mat *m, uint64_t off, uint64_t r0,
			 uint64_t nr, uint64_t c0, uint64_t nc)
{
	uint64_t n = 0, i, base = m->base + off;

	if (!clip(m, r0, &nr, c0, &nc))
		return 0;
	if (!m->colmajor) {
		for (i = r0; i < r0 + nr; i++)
			n += run_records(base + (i * m->ld + c0) * m->e,
					 nc * m->e);
	} else {
		for (i = c0; i < c0 + nc; i++)
			n += run_records(base + (i * m->ld + r0) * m->e,
					 nr * m->e);
	}
	return n;
}

/* Upper bound on records of one nr x nc tile of m. */
static size_t tile_bound(const struct mw_mat *m, uint64_t nr, uint64_t nc)
{
	uint64_t lines = m->colmajor ? nc : nr;
	uint64_t len = (m->colmajor ? nr : nc) * m->e;

	return (size_t)(lines * (len / MW_SEG_BYTES + 2));
}

static uint64_t cdiv(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* ---- GEMM ---------------------------------------------------------------- */

uint64_t mw_gemm_grid(const struct mw_gemm_phase *g)
{
	return g->order.kind == MW_ORDER_SWIZZLE ? g->gx * g->gy
						 : g->tm * g->tn;
}

bool mw_gemm_tile(const struct mw_gemm_phase *g, uint64_t t, uint64_t *pm,
		  uint64_t *pn)
{
	switch (g->order.kind) {
	case MW_ORDER_ROW:
		*pm = t / g->tn;
		*pn = t % g->tn;
		return true;
	case MW_ORDER_COL:
		*pm = t % g->tm;
		*pn = t / g->tm;
		return true;
	case MW_ORDER_GROUPED: {
		uint64_t in_group = (uint64_t)g->order.param * g->tn;
		uint64_t group = t / in_group;
		uint64_t first = group * g->order.param;
		uint64_t size = g->tm - first < g->order.param ? g->tm - first
							       : g->order.param;

		*pm = first + t % size;
		*pn = (t % in_group) / size;
		return true;
	}
	case MW_ORDER_SWIZZLE: {
		uint64_t bx = t % g->gx, by = t / g->gx;
		uint64_t mask = ((uint64_t)1 << g->log_tile) - 1;

		*pm = bx >> g->log_tile;
		*pn = (by << g->log_tile) + (bx & mask);
		return *pn < g->tn;
	}
	}
	return false;
}

void mw_gemm_slice(const struct mw_gemm_phase *g, uint32_t s, uint64_t *k0,
		   uint64_t *k1)
{
	*k0 = s * g->kt / g->split;
	*k1 = (s + 1) * g->kt / g->split;
}

struct gemm_pos {
	uint64_t b, h, pm, pn;
	uint32_t s;
	uint64_t k0, k1;
};

static bool gemm_pos(const struct mw_gemm_phase *g, uint64_t item,
		     struct gemm_pos *p)
{
	uint64_t grid = mw_gemm_grid(g), z, zs = item / grid;

	p->s = (uint32_t)(zs / (g->batch * g->heads));
	z = zs % (g->batch * g->heads);
	p->b = z / g->heads;
	p->h = z % g->heads;
	if (!mw_gemm_tile(g, item % grid, &p->pm, &p->pn))
		return false;
	mw_gemm_slice(g, p->s, &p->k0, &p->k1);
	return true;
}

static uint64_t mat_off(const struct mw_mat *m, uint64_t b, uint64_t h)
{
	return b * m->bstride + (h / m->hdiv) * m->hstride;
}

static uint32_t gemm_steps(const void *ctx, uint64_t item)
{
	const struct mw_gemm_phase *g = ctx;
	struct gemm_pos p;

	if (!gemm_pos(g, item, &p))
		return 0;
	return (uint32_t)(p.k1 - p.k0 + 1);
}

static size_t gemm_emit(const void *ctx, uint64_t item, uint32_t step,
			struct mw_access *out)
{
	const struct mw_gemm_phase *g = ctx;
	struct gemm_pos p;
	size_t n = 0;
	uint32_t i;

	if (!gemm_pos(g, item, &p))
		return 0;
	if (step < p.k1 - p.k0) {
		uint64_t kk = (p.k0 + step) * g->bk;

		n += mw_emit_tile(&g->a, mat_off(&g->a, p.b, p.h), p.pm * g->bm,
				  g->bm, kk, g->bk, MW_OP_READ, out);
		for (i = 0; i < g->nb; i++)
			n += mw_emit_tile(&g->b[i], mat_off(&g->b[i], p.b, p.h),
					  kk, g->bk, p.pn * g->bn, g->bn,
					  MW_OP_READ, out + n);
		return n;
	}
	return mw_emit_tile(&g->c,
			    mat_off(&g->c, p.b, p.h) + p.s * g->slice_bytes,
			    p.pm * g->bm, g->bm, p.pn * g->bn, g->bn,
			    MW_OP_WRITE, out);
}

static size_t gemm_max(const struct mw_gemm_phase *g)
{
	size_t a = tile_bound(&g->a, g->bm, g->bk);
	size_t b = tile_bound(&g->b[0], g->bk, g->bn) * g->nb;
	size_t c = tile_bound(&g->c, g->bm, g->bn);

	return a + b > c ? a + b : c;
}

static int gemm_prepare(struct mw_gemm_phase *g)
{
	if (!g->m || !g->n || !g->k || !g->bm || !g->bn || !g->bk ||
	    !g->split || !g->batch || !g->heads)
		return MW_EINVAL;
	g->tm = cdiv(g->m, g->bm);
	g->tn = cdiv(g->n, g->bn);
	g->kt = cdiv(g->k, g->bk);
	if (g->split > g->kt)
		return MW_EINVAL;
	if (g->order.kind == MW_ORDER_GROUPED && !g->order.param)
		return MW_EINVAL;
	if (g->order.kind == MW_ORDER_SWIZZLE) {
		uint32_t nn = g->order.param;

		g->log_tile = nn >= 8 && g->tn >= 6   ? 3
			      : nn >= 4 && g->tn >= 3 ? 2
			      : nn >= 2 && g->tn >= 2 ? 1
						      : 0;
		g->gx = g->tm << g->log_tile;
		g->gy = cdiv(g->tn, (uint64_t)1 << g->log_tile);
	}
	return 0;
}

/* ---- rows pass ----------------------------------------------------------- */

static uint32_t rows_steps(const void *ctx, uint64_t item)
{
	const struct mw_rows_phase *r = ctx;
	uint32_t i, n = 0;

	(void)item;
	for (i = 0; i < r->nin; i++)
		n += r->count[i];
	return n + (r->nout ? 1 : 0);
}

static size_t rows_emit(const void *ctx, uint64_t item, uint32_t step,
			struct mw_access *out)
{
	const struct mw_rows_phase *r = ctx;
	uint64_t r0 = item / r->tc * r->br, c0 = item % r->tc * r->bc;
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < r->nin; i++) {
		if (step < r->count[i])
			return mw_emit_tile(&r->in[i], step * r->slice_bytes[i],
					    r0, r->br, c0, r->bc, MW_OP_READ,
					    out);
		step -= r->count[i];
	}
	for (i = 0; i < r->nout; i++)
		n += mw_emit_tile(&r->out[i], 0, r0, r->br, c0, r->bc,
				  MW_OP_WRITE, out + n);
	return n;
}

static size_t rows_max(const struct mw_rows_phase *r)
{
	size_t m = 0, w = 0;
	uint32_t i;

	for (i = 0; i < r->nin; i++) {
		size_t t = tile_bound(&r->in[i], r->br, r->bc);

		m = t > m ? t : m;
	}
	for (i = 0; i < r->nout; i++)
		w += tile_bound(&r->out[i], r->br, r->bc);
	return m > w ? m : w;
}

/* ---- flash attention ----------------------------------------------------- */

uint64_t mw_flash_kv_blocks(const struct mw_flash_phase *f, uint64_t m)
{
	uint64_t lim;

	if (!f->causal)
		return f->tcn;
	/* ceil(((m+1) Br + Nk - Nq) / Bc), clamped to [0, Tc] */
	if ((m + 1) * f->br + f->nk <= f->nq)
		return 0;
	lim = cdiv((m + 1) * f->br + f->nk - f->nq, f->bc);
	return lim < f->tcn ? lim : f->tcn;
}

void mw_flash_item(const struct mw_flash_phase *f, uint64_t item, uint64_t *m,
		   uint64_t *b, uint64_t *h)
{
	uint64_t dims[3] = {f->tr, f->batch, f->heads}, c[3];
	int i;

	for (i = 0; i < 3; i++) {
		c[f->perm[i]] = item % dims[f->perm[i]];
		item /= dims[f->perm[i]];
	}
	*m = c[0];
	*b = c[1];
	*h = c[2];
}

static uint32_t flash_steps(const void *ctx, uint64_t item)
{
	const struct mw_flash_phase *f = ctx;
	uint64_t m, b, h;

	mw_flash_item(f, item, &m, &b, &h);
	return (uint32_t)mw_flash_kv_blocks(f, m) + 2;
}

static size_t flash_emit(const void *ctx, uint64_t item, uint32_t step,
			 struct mw_access *out)
{
	const struct mw_flash_phase *f = ctx;
	uint64_t m, b, h, nkv;
	size_t n = 0;

	mw_flash_item(f, item, &m, &b, &h);
	nkv = mw_flash_kv_blocks(f, m);
	if (step == 0)
		return mw_emit_tile(&f->q, mat_off(&f->q, b, h), m * f->br,
				    f->br, 0, f->d, MW_OP_READ, out);
	if (step <= nkv) {
		uint64_t j = nkv - step; /* reverse order */

		n = mw_emit_tile(&f->k, mat_off(&f->k, b, h), j * f->bc, f->bc,
				 0, f->d, MW_OP_READ, out);
		n += mw_emit_tile(&f->v, mat_off(&f->v, b, h), j * f->bc, f->bc,
				  0, f->d, MW_OP_READ, out + n);
		return n;
	}
	n = mw_emit_tile(&f->o, mat_off(&f->o, b, h), m * f->br, f->br, 0, f->d,
			 MW_OP_WRITE, out);
	n += mw_emit_tile(&f->lse, mat_off(&f->lse, b, h), m * f->br, f->br, 0,
			  1, MW_OP_WRITE, out + n);
	return n;
}

static size_t flash_max(const struct mw_flash_phase *f)
{
	size_t q = tile_bound(&f->q, f->br, f->d);
	size_t kv =
		tile_bound(&f->k, f->bc, f->d) + tile_bound(&f->v, f->bc, f->d);
	size_t o =
		tile_bound(&f->o, f->br, f->d) + tile_bound(&f->lse, f->br, 1);

	return q > kv ? (q > o ? q : o) : (kv > o ? kv : o);
}

/* ---- decode -------------------------------------------------------------- */

void mw_decode_split(const struct mw_decode_phase *dc, uint32_t s, uint64_t *t0,
		     uint64_t *t1)
{
	uint64_t nb = cdiv(dc->kv_len, dc->bc);

	*t0 = s * nb / dc->splits * dc->bc;
	*t1 = (s + 1) * nb / dc->splits * dc->bc;
	if (*t1 > dc->kv_len)
		*t1 = dc->kv_len;
}

struct dec_pos {
	uint64_t b, kvh, grp, h0, t0, t1;
	uint32_t s;
};

static void dec_pos(const struct mw_decode_phase *dc, uint64_t item,
		    struct dec_pos *p)
{
	p->s = (uint32_t)(item % dc->splits);
	item /= dc->splits;
	p->grp = item % dc->groups;
	item /= dc->groups;
	p->kvh = item % dc->kv_heads;
	p->b = item / dc->kv_heads;
	p->h0 = p->kvh * (dc->heads / dc->kv_heads) + p->grp * dc->hpc;
	mw_decode_split(dc, p->s, &p->t0, &p->t1);
}

static uint32_t dec_steps(const void *ctx, uint64_t item)
{
	const struct mw_decode_phase *dc = ctx;
	struct dec_pos p;

	dec_pos(dc, item, &p);
	return (uint32_t)(cdiv(p.t1 - p.t0, dc->bc) + 2);
}

static size_t dec_emit(const void *ctx, uint64_t item, uint32_t step,
		       struct mw_access *out)
{
	const struct mw_decode_phase *dc = ctx;
	struct dec_pos p;
	uint64_t nchunks, t, tend, row = dc->d * dc->e;
	size_t n = 0;

	dec_pos(dc, item, &p);
	nchunks = cdiv(p.t1 - p.t0, dc->bc);
	if (step == 0) {
		n = mw_emit_tile(&dc->q, 0, p.b * dc->q_len, dc->q_len,
				 p.h0 * dc->d, (uint64_t)dc->hpc * dc->d,
				 MW_OP_READ, out);
		if (dc->page) {
			uint64_t e0 = p.b * dc->pages_per_seq + p.t0 / dc->page;
			uint64_t e1 =
				p.b * dc->pages_per_seq + cdiv(p.t1, dc->page);

			n += emit_run(dc->bt_base + e0 * 4, (e1 - e0) * 4,
				      MW_OP_READ, dc->bt_t, out + n);
		}
		return n;
	}
	if (step <= nchunks) {
		t = p.t0 + (step - 1) * dc->bc;
		tend = t + dc->bc < p.t1 ? t + dc->bc : p.t1;
		for (; t < tend; t++) {
			uint64_t slot;

			if (dc->page)
				slot = (uint64_t)dc->table[p.b * dc->pages_per_seq +
							   t / dc->page] *
					       dc->page +
				       t % dc->page;
			else
				slot = p.b * dc->kv_len + t;
			slot = (slot * dc->kv_heads + p.kvh) * row;
			n += emit_run(dc->k_base + slot, row, MW_OP_READ,
				      dc->k_t, out + n);
			n += emit_run(dc->v_base + slot, row, MW_OP_READ,
				      dc->v_t, out + n);
		}
		return n;
	}
	if (dc->splits == 1)
		return mw_emit_tile(&dc->o, 0, p.b * dc->q_len, dc->q_len,
				    p.h0 * dc->d, (uint64_t)dc->hpc * dc->d,
				    MW_OP_WRITE, out);
	n = mw_emit_tile(&dc->oacc, 0, (p.s * dc->batch + p.b) * dc->q_len,
			 dc->q_len, p.h0 * dc->d, (uint64_t)dc->hpc * dc->d,
			 MW_OP_WRITE, out);
	n += mw_emit_tile(&dc->lacc, 0, (p.s * dc->batch + p.b) * dc->q_len,
			  dc->q_len, p.h0, dc->hpc, MW_OP_WRITE, out + n);
	return n;
}

static size_t dec_max(const struct mw_decode_phase *dc)
{
	uint64_t w = (uint64_t)dc->hpc * dc->d;
	size_t q = tile_bound(&dc->q, dc->q_len, w) +
		   (size_t)(dc->pages_per_seq * 4 / MW_SEG_BYTES + 2);
	size_t kv = (size_t)dc->bc * 2 * (dc->d * dc->e / MW_SEG_BYTES + 2);
	size_t o = tile_bound(&dc->oacc, dc->q_len, w) +
		   tile_bound(&dc->lacc, dc->q_len, dc->hpc) +
		   tile_bound(&dc->o, dc->q_len, w);

	return q > kv ? (q > o ? q : o) : (kv > o ? kv : o);
}

/* ---- the phase as scheduler work ----------------------------------------- */

int mw_phase_prepare(struct mw_phase *p)
{
	switch (p->kind) {
	case MW_PHASE_GEMM:
		return gemm_prepare(&p->u.g);
	case MW_PHASE_ROWS: {
		struct mw_rows_phase *r = &p->u.r;

		if (!r->rows || !r->cols || !r->br || !r->bc)
			return MW_EINVAL;
		r->tr = cdiv(r->rows, r->br);
		r->tc = cdiv(r->cols, r->bc);
		return 0;
	}
	case MW_PHASE_FLASH: {
		struct mw_flash_phase *f = &p->u.f;

		if (!f->br || !f->bc || !f->nq || !f->nk)
			return MW_EINVAL;
		f->tr = cdiv(f->nq, f->br);
		f->tcn = cdiv(f->nk, f->bc);
		return 0;
	}
	case MW_PHASE_DECODE: {
		struct mw_decode_phase *dc = &p->u.dc;

		if (!dc->hpc || !dc->splits || !dc->bc)
			return MW_EINVAL;
		dc->groups = dc->heads / dc->kv_heads / dc->hpc;
		return 0;
	}
	}
	return MW_EINVAL;
}

void mw_phase_work(const struct mw_phase *p, struct mw_sched_work *w)
{
	w->persistent = p->persistent;
	switch (p->kind) {
	case MW_PHASE_GEMM: {
		const struct mw_gemm_phase *g = &p->u.g;

		w->items = mw_gemm_grid(g) * g->split * g->batch * g->heads;
		w->steps = gemm_steps;
		w->emit = gemm_emit;
		w->max_step_records = gemm_max(g);
		w->ctx = g;
		break;
	}
	case MW_PHASE_ROWS:
		w->items = p->u.r.tr * p->u.r.tc;
		w->steps = rows_steps;
		w->emit = rows_emit;
		w->max_step_records = rows_max(&p->u.r);
		w->ctx = &p->u.r;
		break;
	case MW_PHASE_FLASH: {
		const struct mw_flash_phase *f = &p->u.f;

		w->items = f->tr * f->batch * f->heads;
		w->steps = flash_steps;
		w->emit = flash_emit;
		w->max_step_records = flash_max(f);
		w->ctx = f;
		break;
	}
	case MW_PHASE_DECODE: {
		const struct mw_decode_phase *dc = &p->u.dc;

		w->items = dc->batch * dc->kv_heads * dc->groups * dc->splits;
		w->steps = dec_steps;
		w->emit = dec_emit;
		w->max_step_records = dec_max(dc);
		w->ctx = dc;
		break;
	}
	}
}
