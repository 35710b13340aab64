/*
 * validate.c - measured rows against memwall's predictions.
 *
 * Notes:
 *  - A row is compared when it is a whole-case row (launch "*"), not an
 *    [R] fact (tag R), not marked "not comparable" in its note, its
 *    kernel is a memwall kernel, its metric has a mapping
 *    (model/measured.c metric_map), a machine is known (--hw, else the
 *    row's gpu, hw or cpu attribute through mw_validate_preset), the
 *    kernel accepts its parameters and the run is small enough.  Every
 *    other row keeps the first reason that applies, in that order.
 *  - Parameters: each "--key value" of the row is mw_kernel_set(key,
 *    value); a flag (--causal) sets "yes".  Kernel copy (the harness's
 *    and the published copies' name) is stream --op copy.
 *  - Cache control "none" (ncu did not flush; one warm-up repetition ran
 *    first) runs the kernel warm (mw_run_opts.warm: the second pass of
 *    two); "all" and "" run it from empty caches.
 *  - One mw_run per distinct (kernel description, machine, warm): rows
 *    of the same case and metrics of the same run share it.
 *  - Derived predictions (l1, l2 = the machine's first two levels):
 *      memory.bytes = memory.bytes_read + memory.bytes_written;
 *      memory.effective_bandwidth = memory.bytes / time.memory_ns (the
 *        memory time of the run: in counting mode bytes / peak, so the
 *        prediction is the preset's peak bandwidth);
 *      l2.read_bytes = l1 reads.bytes_from_below (bytes the SMs fetch
 *        from L2 for loads: ncu's lts__t_sectors_srcunit_tex_op_read);
 *      l2.read_miss_bytes = l2 reads.bytes_from_below;
 *      l2.read_hit_bytes = l2.read_bytes - l2.read_miss_bytes (>= 0);
 *      l2.read_hit_rate = l2.read_hit_bytes / l2.read_bytes;
 *      l2.write_bytes = l1 bytes_to_below (stores and write-backs);
 *      l1.read_bytes = bounds.no_reuse_read_bytes (the bytes the loads
 *        request, every load counted);
 *      l1.read_hit_bytes = l1.read_bytes - l1 reads.bytes_from_below;
 *      l1.hit_rate = l1.read_hit_bytes / l1.read_bytes (loads only; ncu's
 *        rate counts stores too).
 *    Anything else is looked up as scope.metric in the results.  memwall
 *    has no L2 write-hit counts in bytes, so the write hit/miss and
 *    combined hit/miss rows say the run lacks them.
 *  - Error % = 100 (predicted - measured) / measured; a measured 0 gives
 *    NAN (listed, not in the statistics).
 *  - Size guard: a run's records are estimated as its no-reuse bytes /
 *    128 (records never cross 128 bytes, so this is a lower bound); over
 *    max_records the row is not predicted (the simulator runs about a
 *    million records per second on the build machine).
 */
#include "model/validate.h"

#include "common/alloc.h"
#include "common/results.h"
#include "hierarchy/hwconfig.h"
#include "model/bounds.h"
#include "model/kernel.h"
#include "model/run.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_RECORDS 200000000ull

void mw_validate_opts_init(struct mw_validate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_records = DEFAULT_MAX_RECORDS;
}

struct machine {
	char *name; /* owned: preset name or path */
	struct mw_hw_cfg *cfg;
};

struct prediction {
	char *key; /* owned: describe | hw | warm */
	struct mw_results *res;
	const struct mw_hw_cfg *cfg; /* borrowed from the machines */
};

struct mw_validate {
	struct mw_validate_row *rows;
	size_t n, compared;
	char **strings; /* owned strings the rows point to */
	size_t nstrings;
	struct machine *machines;
	size_t nmachines;
	struct prediction *preds;
	size_t npreds;
	struct mw_validate_stat *stats;
	size_t nstats;
};

size_t mw_validate_count(const struct mw_validate *v)
{
	return v->n;
}

const struct mw_validate_row *mw_validate_row(const struct mw_validate *v,
					      size_t i)
{
	return &v->rows[i];
}

size_t mw_validate_compared(const struct mw_validate *v)
{
	return v->compared;
}

size_t mw_validate_runs(const struct mw_validate *v)
{
	return v->npreds;
}

size_t mw_validate_nstats(const struct mw_validate *v)
{
	return v->nstats;
}

const struct mw_validate_stat *mw_validate_stat(const struct mw_validate *v,
						size_t i)
{
	return &v->stats[i];
}

void mw_validate_destroy(struct mw_validate *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nstrings; i++)
		mw_free(v->strings[i]);
	mw_free(v->strings);
	for (i = 0; i < v->nmachines; i++) {
		mw_free(v->machines[i].name);
		mw_free(v->machines[i].cfg);
	}
	mw_free(v->machines);
	for (i = 0; i < v->npreds; i++) {
		mw_free(v->preds[i].key);
		mw_results_destroy(v->preds[i].res);
	}
	mw_free(v->preds);
	mw_free(v->rows);
	mw_free(v->stats);
	mw_free(v);
}

/* Keeps s (owned) in v; returns it, or NULL (s freed) when out of memory. */
static char *keep(struct mw_validate *v, char *s)
{
	char **ns;

	if (!s)
		return NULL;
	ns = mw_reallocarray(v->strings, v->nstrings + 1, sizeof(*ns));
	if (!ns) {
		mw_free(s);
		return NULL;
	}
	v->strings = ns;
	v->strings[v->nstrings++] = s;
	return s;
}

static char *keepf(struct mw_validate *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *keepf(struct mw_validate *v, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return keep(v, mw_strdup(buf));
}

/* ---- machines -------------------------------------------------------------- */

struct preset_name {
	const char *key; /* lower case, letters and digits only */
	const char *preset;
};

/* Names as data files write them, normalised (see norm()). */
static const struct preset_name preset_names[] = {
	{"h100sxm", "h100-sxm"},
	{"h100sxm80gb", "h100-sxm"},
	{"h100sxm580gb", "h100-sxm"},
	{"h10080gbhbm3", "h100-sxm"},
	{"h200", "h200"},
	{"h200141gb", "h200"},
	{"h200141gbhbm3e", "h200"},
	{"a100", "a100-80g"}, /* size not stated: the 80 GB preset */
	{"a10080gb", "a100-80g"},
	{"a100sxm480gb", "a100-80g"},
	{"mi300x", "mi300x"},
	{"intelrxeonrprocessor", "cpu-host"},
	{"cpuhost", "cpu-host"},
	{NULL, NULL},
};

static void norm(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 1 < cap; s++)
		if (isalnum((unsigned char)*s))
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

const char *mw_validate_preset(const char *machine)
{
	char buf[128];
	const char *p = buf;
	const struct preset_name *e;

	if (!machine)
		return NULL;
	norm(machine, buf, sizeof(buf));
	if (!strncmp(p, "nvidia", 6))
		p += 6;
	else if (!strncmp(p, "amdinstinct", 11))
		p += 11;
	else if (!strncmp(p, "amd", 3))
		p += 3;
	for (e = preset_names; e->key; e++)
		if (!strcmp(p, e->key))
			return e->preset;
	return NULL;
}

/* The loaded machine called name (with the overrides), loading it once. */
static int machine_get(struct mw_validate *v, const struct mw_validate_opts *o,
		       const char *name, const struct mw_hw_cfg **cfg,
		       struct mw_diag *d)
{
	struct machine *nm;
	struct mw_hw_cfg *c;
	size_t i;
	unsigned s;

	for (i = 0; i < v->nmachines; i++)
		if (!strcmp(v->machines[i].name, name)) {
			*cfg = v->machines[i].cfg;
			return 0;
		}
	c = mw_calloc(1, sizeof(*c));
	if (!c)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	if (mw_hw_open(c, name, d)) {
		mw_free(c);
		return d->code ? d->code : MW_ECONFIG;
	}
	for (s = 0; s < o->nsets; s++)
		if (mw_hw_set(c, o->sets[s], d)) {
			mw_free(c);
			return d->code ? d->code : MW_ECONFIG;
		}
	if (o->nsets && mw_hw_validate(c, d)) {
		snprintf(d->file, sizeof(d->file), "--set");
		mw_free(c);
		return d->code ? d->code : MW_ECONFIG;
	}
	nm = mw_reallocarray(v->machines, v->nmachines + 1, sizeof(*nm));
	if (!nm) {
		mw_free(c);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	v->machines = nm;
	nm[v->nmachines].cfg = c;
	nm[v->nmachines].name = mw_strdup(name);
	if (!nm[v->nmachines].name) {
		mw_free(c);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	v->nmachines++;
	*cfg = c;
	return 0;
}

/* ---- predictions ----------------------------------------------------------- */

static int get(const struct mw_results *r, const char *scope,
	       const char *metric, double *out)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	if (!x || x->kind == MW_RESULT_TEXT)
		return -1;
	*out = x->kind == MW_RESULT_U64 ? (double)x->u : x->f;
	return 0;
}

static int l2_reads(const struct mw_results *res, const char *l1,
		    const char *l2, double *req, double *miss)
{
	return l1 && l2 && !get(res, l1, "reads.bytes_from_below", req) &&
			       !get(res, l2, "reads.bytes_from_below", miss)
		       ? 0
		       : -1;
}

int mw_validate_predict(const struct mw_results *res,
			const struct mw_metric_map *map, const char *l1name,
			const char *l2name, double *value)
{
	const char *s = map->scope, *m = map->metric;
	double a, b;

	if (!strcmp(s, "memory") && !strcmp(m, "bytes")) {
		if (get(res, "memory", "bytes_read", &a) ||
		    get(res, "memory", "bytes_written", &b))
			return -1;
		*value = a + b;
		return 0;
	}
	if (!strcmp(s, "memory") && !strcmp(m, "effective_bandwidth")) {
		double ns;

		if (get(res, "memory", "bytes_read", &a) ||
		    get(res, "memory", "bytes_written", &b) ||
		    get(res, "time", "memory_ns", &ns) || ns <= 0)
			return -1;
		*value = (a + b) / (ns * 1e-9);
		return 0;
	}
	if (!strcmp(s, "l2") && !strncmp(m, "read_", 5)) {
		if (l2_reads(res, l1name, l2name, &a, &b))
			return -1;
		if (!strcmp(m, "read_bytes"))
			*value = a;
		else if (!strcmp(m, "read_miss_bytes"))
			*value = b;
		else if (!strcmp(m, "read_hit_bytes"))
			*value = a > b ? a - b : 0;
		else if (!strcmp(m, "read_hit_rate"))
			*value = a > 0 ? (a > b ? a - b : 0) / a : 0;
		else
			return -1;
		return 0;
	}
	if (!strcmp(s, "l2") && !strcmp(m, "write_bytes"))
		return l1name ? get(res, l1name, "bytes_to_below", value) : -1;
	if (!strcmp(s, "l1")) {
		if (!l1name || get(res, "bounds", "no_reuse_read_bytes", &a) ||
		    get(res, l1name, "reads.bytes_from_below", &b))
			return -1;
		if (!strcmp(m, "read_bytes"))
			*value = a;
		else if (!strcmp(m, "read_hit_bytes"))
			*value = a > b ? a - b : 0;
		else if (!strcmp(m, "hit_rate"))
			*value = a > 0 ? (a > b ? a - b : 0) / a : 0;
		else
			return -1;
		return 0;
	}
	if (!strcmp(s, "l2"))
		return -1; /* write hits and misses: not counted in bytes */
	return get(res, s, m, value);
}

/* ---- reasons --------------------------------------------------------------- */

/* Why the kernels that data files name have no memwall kernel. */
static const struct {
	const char *kernel, *why;
} no_kernel[] = {
	{"chase", "a dependent pointer chase: its figures are latencies, which "
		  "memwall does not model"},
	{"read", "a CPU read sweep over working sets: its figure is a per-core "
		 "bandwidth of cached levels, and cpu-host's levels have no "
		 "bandwidths"},
	{"matmul", "a CPU loop-nest matmul: memwall's gemm is a GPU CTA "
		   "tiling"},
	{"standard-attention", "attention with S materialised; attention "
			       "--variant naive is "
			       "close, but the row is not that kernel"},
	{NULL, NULL},
};

/* Why measured metrics have no mapping. */
static const struct {
	const char *metric, *why;
} no_metric[] = {
	{"latency_per_load", "memwall predicts traffic, not load latency"},
	{"dram_plateau_bandwidth", "the plateau of L2-bench's working-set "
				   "sweep (blocks re-read "
				   "past the L2), not one stream pass"},
	{"lts__t_sectors_srcunit_ltcfabric.sum", "memwall has no L2 "
						 "partitions"},
	{NULL, NULL},
};

/* The clause of note that holds "not comparable", or NULL. */
static char *not_comparable(struct mw_validate *v, const char *note)
{
	const char *hit = note ? strstr(note, "not comparable") : NULL;
	const char *a, *b;

	if (!hit)
		return NULL;
	for (a = hit; a > note && a[-1] != '.' && a[-1] != ';'; a--)
		;
	while (*a == ' ')
		a++;
	for (b = hit; *b && *b != '.' && *b != ';'; b++)
		;
	return keepf(v, "marked not comparable: %.*s", (int)(b - a), a);
}

static const char *machine_name(const struct mw_measured_row *r)
{
	const char *s = mw_measured_attr(r, "gpu");

	if (!s || !*s)
		s = mw_measured_attr(r, "hw");
	if (!s || !*s)
		s = mw_measured_attr(r, "cpu");
	return s && *s ? s : NULL;
}

/* The row's kernel with its parameters, or NULL with *why set. */
static struct mw_kernel *row_kernel(struct mw_validate *v,
				    const struct mw_measured_row *r, char **why,
				    struct mw_diag *d)
{
	bool copy = !strcmp(r->kernel, "copy");
	struct mw_kernel *k = mw_kernel_create(copy ? "stream" : r->kernel, d);
	size_t i;

	if (!k) {
		*why = keepf(v, "kernel %s: %s", r->kernel, d->msg);
		return NULL;
	}
	if (copy && mw_kernel_set(k, "op", "copy", d)) {
		*why = keepf(v, "kernel %s: %s", r->kernel, d->msg);
		mw_kernel_destroy(k);
		return NULL;
	}
	for (i = 0; i < r->nparams; i++) {
		const char *val = *r->params[i].value ? r->params[i].value
						      : "yes";

		if (mw_kernel_set(k, r->params[i].key, val, d)) {
			*why = keepf(v, "params: %s", d->msg);
			mw_kernel_destroy(k);
			return NULL;
		}
	}
	if (mw_kernel_validate(k, d)) {
		*why = keepf(v, "params: %s", d->msg);
		mw_kernel_destroy(k);
		return NULL;
	}
	return k;
}

/* The results for k on cfg (warm or not), running it once. */
static int predict(struct mw_validate *v, const struct mw_validate_opts *o,
		   const struct mw_kernel *k, const char *hwname,
		   const struct mw_hw_cfg *cfg, bool warm,
		   const struct prediction **out, char **why, struct mw_diag *d)
{
	struct prediction *np;
	struct mw_run_opts ro;
	struct mw_results *res;
	struct mw_sched_cfg sc;
	struct mw_bounds b;
	char *desc = mw_kernel_describe(k, NULL), *key;
	size_t i, len;
	int rc;

	if (!desc)
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	len = strlen(desc) + strlen(hwname) + 16;
	key = mw_malloc(len);
	if (!key) {
		mw_free(desc);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	snprintf(key, len, "%s|%s|%d", desc, hwname, warm ? 1 : 0);
	mw_free(desc);
	for (i = 0; i < v->npreds; i++)
		if (!strcmp(v->preds[i].key, key)) {
			mw_free(key);
			*out = &v->preds[i];
			return 0;
		}
	memset(&sc, 0, sizeof(sc));
	sc.units = cfg->machine.units;
	sc.ctas_per_unit =
		cfg->machine.ctas_per_unit ? cfg->machine.ctas_per_unit : 1;
	rc = mw_kernel_bounds(k, &sc, &b, d);
	if (rc == MW_ENOMEM) {
		mw_free(key);
		return rc;
	}
	if (rc) {
		mw_free(key);
		*why = keepf(v, "bounds: %s", d->msg);
		return 0;
	}
	if (o->max_records &&
	    (b.no_reuse_read + b.no_reuse_write) / 128 > o->max_records) {
		mw_free(key);
		*why = keepf(v,
			     "too large to simulate here: at least %llu "
			     "records (over %llu; --max-records)",
			     (unsigned long long)((b.no_reuse_read +
						   b.no_reuse_write) /
						  128),
			     (unsigned long long)o->max_records);
		return 0;
	}
	res = mw_results_create();
	if (!res) {
		mw_free(key);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	mw_run_opts_init(&ro);
	ro.warm = warm;
	ro.interrupt = o->interrupt;
	rc = mw_run(k, cfg, &ro, res, d);
	if (rc) {
		mw_results_destroy(res);
		mw_free(key);
		if (rc == MW_ENOMEM || rc == MW_ECANCEL)
			return rc;
		*why = keepf(v, "run: %s", d->msg);
		return 0;
	}
	np = mw_reallocarray(v->preds, v->npreds + 1, sizeof(*np));
	if (!np) {
		mw_results_destroy(res);
		mw_free(key);
		return mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
	}
	v->preds = np;
	np[v->npreds].key = key;
	np[v->npreds].res = res;
	np[v->npreds].cfg = cfg;
	*out = &np[v->npreds++];
	return 0;
}

static const char *kernel_why(const char *kernel)
{
	size_t i;

	for (i = 0; no_kernel[i].kernel; i++)
		if (!strcmp(no_kernel[i].kernel, kernel))
			return no_kernel[i].why;
	return NULL;
}

static const char *metric_why(const char *metric)
{
	size_t i;

	for (i = 0; no_metric[i].metric; i++)
		if (!strcmp(no_metric[i].metric, metric))
			return no_metric[i].why;
	return NULL;
}

/* Fills row x for measured row r; 0 or a fatal error. */
static int one_row(struct mw_validate *v, const struct mw_validate_opts *o,
		   const struct mw_measured_row *r, struct mw_validate_row *x,
		   struct mw_diag *d)
{
	const struct mw_metric_map *map = mw_metric_map_find(r->metric);
	const char *tag = mw_measured_attr(r, "tag"), *hwname, *w;
	const struct mw_hw_cfg *cfg = NULL;
	const struct prediction *p = NULL;
	struct mw_kernel *k;
	char *why = NULL;
	int rc;

	x->m = r;
	x->hw = "";
	x->reason = NULL;
	x->error_pct = NAN;
	x->predicted = NAN;
	if (map) {
		x->predicted_name = keepf(v, "%s.%s", map->scope, map->metric);
		x->unit = map->unit;
		x->measured = r->value * map->scale;
		if (!x->predicted_name)
			return mw_diag_set(d, MW_ENOMEM, "", 0,
					   "out of memory");
	} else {
		x->predicted_name = NULL;
		x->unit = r->unit;
		x->measured = r->value;
	}
#define NOT(...)                                                               \
	do {                                                                   \
		if (!(x->reason = keepf(v, __VA_ARGS__)))                      \
			return mw_diag_set(d, MW_ENOMEM, "", 0,                \
					   "out of memory");                   \
		return 0;                                                      \
	} while (0)
	if (strcmp(r->launch, "*"))
		NOT("one launch (%s): the case's * row is compared", r->launch);
	if (tag && !strcmp(tag, "R"))
		NOT("an [R] fact (recalled, unverified)");
	if ((why = not_comparable(v, mw_measured_attr(r, "note")))) {
		x->reason = why;
		return 0;
	}
	if (!mw_kernel_find(r->kernel) && strcmp(r->kernel, "copy")) {
		w = kernel_why(r->kernel);
		NOT("no memwall kernel '%s'%s%s", r->kernel, w ? ": " : "",
		    w ? w : "");
	}
	if (!map) {
		w = metric_why(r->metric);
		NOT("no memwall result for '%s'%s%s", r->metric, w ? ": " : "",
		    w ? w : "");
	}
	hwname = o->hw ? o->hw : mw_validate_preset(machine_name(r));
	if (!hwname) {
		if (machine_name(r))
			NOT("no preset for machine '%s' (give --hw)",
			    machine_name(r));
		NOT("the row names no machine (give --hw)");
	}
	x->hw = hwname;
	rc = machine_get(v, o, hwname, &cfg, d);
	if (rc)
		return rc;
	k = row_kernel(v, r, &why, d);
	if (!k) {
		if (!why)
			return mw_diag_set(d, MW_ENOMEM, "", 0,
					   "out of memory");
		x->reason = why;
		return 0;
	}
	rc = predict(v, o, k, hwname, cfg, !strcmp(r->cache_control, "none"),
		     &p, &why, d);
	mw_kernel_destroy(k);
	if (rc)
		return rc;
	if (!p) {
		if (!why)
			return mw_diag_set(d, MW_ENOMEM, "", 0,
					   "out of memory");
		x->reason = why;
		return 0;
	}
	if (mw_validate_predict(p->res, map,
				cfg->nlevels >= 1 ? cfg->levels[0].name : NULL,
				cfg->nlevels >= 2 ? cfg->levels[1].name : NULL,
				&x->predicted))
		NOT("the run reports no %s", x->predicted_name);
#undef NOT
	if (x->measured != 0)
		x->error_pct =
			100.0 * (x->predicted - x->measured) / x->measured;
	v->compared++;
	return 0;
}

/* ---- grouping and statistics ---------------------------------------------- */

static int stats(struct mw_validate *v)
{
	size_t i, j;

	for (i = 0; i < v->n; i++) {
		const struct mw_validate_row *x = &v->rows[i];
		struct mw_validate_stat *s;

		if (x->reason || !isfinite(x->error_pct))
			continue;
		for (j = 0;
		     j < v->nstats && strcmp(v->stats[j].metric, x->m->metric);
		     j++)
			;
		if (j == v->nstats) {
			s = mw_reallocarray(v->stats, v->nstats + 1,
					    sizeof(*s));
			if (!s)
				return MW_ENOMEM;
			v->stats = s;
			s = &s[v->nstats++];
			memset(s, 0, sizeof(*s));
			s->metric = x->m->metric;
			s->unit = x->unit;
			s->worst = i;
		}
		s = &v->stats[j];
		s->rows++;
		s->mean_abs_pct += fabs(x->error_pct);
		s->mean_pct += x->error_pct;
		if (fabs(x->error_pct) > fabs(v->rows[s->worst].error_pct))
			s->worst = i;
	}
	for (j = 0; j < v->nstats; j++) {
		v->stats[j].mean_abs_pct /= (double)v->stats[j].rows;
		v->stats[j].mean_pct /= (double)v->stats[j].rows;
	}
	return 0;
}

struct mw_validate *mw_validate_run(const struct mw_measured *m,
				    const struct mw_validate_opts *o,
				    struct mw_diag *d)
{
	struct mw_validate_opts defaults;
	struct mw_validate *v = mw_calloc(1, sizeof(*v));
	size_t n = mw_measured_count(m), i, j, g, ng = 0, out = 0;
	size_t *group = NULL, *first = NULL;
	int rc = 0;

	mw_diag_clear(d);
	if (!o) {
		mw_validate_opts_init(&defaults);
		o = &defaults;
	}
	if (!v || !(v->rows = mw_calloc(n ? n : 1, sizeof(*v->rows))) ||
	    !(group = mw_calloc(n ? n : 1, sizeof(*group))) ||
	    !(first = mw_calloc(n ? n : 1, sizeof(*first)))) {
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
		goto out;
	}
	/* groups: (case, cache control), in order of first appearance */
	for (i = 0; i < n; i++) {
		const struct mw_measured_row *r = mw_measured_row(m, i);

		for (g = 0; g < ng; g++) {
			const struct mw_measured_row *f =
				mw_measured_row(m, first[g]);

			if (!strcmp(f->case_name, r->case_name) &&
			    !strcmp(f->cache_control, r->cache_control))
				break;
		}
		if (g == ng)
			first[ng++] = i;
		group[i] = g;
	}
	for (g = 0; g < ng && !rc; g++)
		for (j = first[g]; j < n && !rc; j++) {
			if (group[j] != g)
				continue;
			if (o->interrupt && *o->interrupt) {
				rc = mw_diag_set(d, MW_ECANCEL, "", 0,
						 "interrupted");
				break;
			}
			if (o->progress)
				o->progress(o->progress_ctx, out, n);
			v->rows[out].group = g;
			rc = one_row(v, o, mw_measured_row(m, j), &v->rows[out],
				     d);
			out++;
		}
	v->n = out;
	if (!rc && stats(v))
		rc = mw_diag_set(d, MW_ENOMEM, "", 0, "out of memory");
out:
	mw_free(group);
	mw_free(first);
	if (rc) {
		if (!d->code)
			mw_diag_set(d, rc, "", 0, "%s", mw_strerror(rc));
		mw_validate_destroy(v);
		return NULL;
	}
	return v;
}
