/*
 * cmd_sim.c - `memwall sim`: run trace files through a machine (its
 * cache hierarchy and its memory model, hierarchy/machine.h) and report
 * the traffic at every level, per tensor, and what the memory made of
 * it: row outcomes, latency, time and effective bandwidth.
 *
 * Notes:
 *  - Several traces run back to back through the same caches (state
 *    carries over, as consecutive kernels on one GPU).  Their tensor
 *    tables are merged by name: a tensor of the same name in two traces
 *    is one tensor of the report, and each record's tensor index is
 *    renumbered into the merged table.
 *  - All traces are opened, and the machine loaded and validated, before
 *    the first record is simulated, so a bad argument fails at once.
 *  - A trace whose header declares more units than the machine has is
 *    refused before it runs, unless --fold-units.
 *  - Dirty lines left in the caches at the end are not written back
 *    unless --flush (as DineroIV without -flushcount).
 *  - The text report's miss ratio is sector_misses / accesses, i.e. the
 *    share of requests the level could not serve (1 - hits / accesses);
 *    "misses" counts only requests whose line was absent.
 *  - The memory table reads the same results list as --csv, so the
 *    text and the CSV cannot disagree.  Channel utilization is the
 *    data-bus busy time of a channel over the run's time (timing mode).
 */
#include "cli/cli.h"

#include "cli/table.h"
#include "common/units.h"
#include "hierarchy/hierarchy.h"
#include "hierarchy/hwconfig.h"
#include "hierarchy/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 8192

struct sim_opts {
	struct cli_input_opts in;
	struct cli_hw_opts hw;
	const char *csv;
	char **paths;
	int npaths;
	bool flush;
	bool fold;
};

enum {
	OPT_CSV = 0x200,
	OPT_FLUSH,
	OPT_FOLD
};

static const struct argp_option options[] = {{"csv", OPT_CSV, "FILE", 0,
					      "Also write every statistic as "
					      "CSV (scope,metric,value); - = "
					      "stdout, without the text report",
					      0},
					     {"flush", OPT_FLUSH, NULL, 0,
					      "At the end, write back the "
					      "dirty lines left in the caches "
					      "and "
					      "count them",
					      0},
					     {"fold-units", OPT_FOLD, NULL, 0,
					      "Run records of units beyond the "
					      "machine's on unit % units "
					      "instead "
					      "of failing",
					      0},
					     {0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct sim_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->in;
		state->child_inputs[1] = &o->hw;
		break;
	case OPT_CSV:
		o->csv = arg;
		break;
	case OPT_FLUSH:
		o->flush = true;
		break;
	case OPT_FOLD:
		o->fold = true;
		break;
	case ARGP_KEY_ARGS:
		o->paths = state->argv + state->next;
		o->npaths = state->argc - state->next;
		break;
	case ARGP_KEY_END:
		if (!o->npaths)
			argp_error(state, "which trace? (files, or - for "
					  "standard input)");
		if (!o->hw.hw)
			argp_error(state, "which machine? --hw NAME|FILE "
					  "(presets: memwall hw list)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {
	{&cli_input_argp, 0, "Input options:", 1},
	{&cli_hw_argp, 0, "Hardware options:", 2},
	{0}};

static const struct argp argp = {
	options,
	parse,
	"TRACE...",
	"Simulate traces on a machine's caches: every access is cut into the "
	"lines it touches and run through the first level of its unit, the "
	"shared levels and the memory.  Reports per level the accesses, "
	"hits, miss ratio, sector misses and bytes moved, then the same per "
	"tensor, the bytes read from and written to memory, and the memory "
	"model's row hits, latency, time and effective bandwidth against the "
	"peak.  Several traces run back to back through the same caches.\v"
	"Examples:\n"
	"  memwall sim kernel.mwt --hw h100-sxm\n"
	"  memwall sim kernel.nvbit.gz --hw h100-sxm --set l2.size=60MiB "
	"--csv out.csv\n"
	"  memwall sim prog.lackey.gz --hw cpu-host --set l1.ways=8 --flush\n"
	"  memwall sim a.mwt b.mwt --hw my-gpu.ini --csv - > stats.csv",
	children,
	NULL,
	NULL,
};

/* The traces, opened, with their tensors renumbered into one table. */
struct inputs {
	struct mw_stream **s;
	uint8_t (*remap)[MW_TENSOR_MAX + 1];
	int n;
	struct mw_trace_header merged;
};

static void inputs_close(struct inputs *in)
{
	int i;

	for (i = 0; i < in->n; i++)
		mw_stream_destroy(in->s[i]);
	free(in->s);
	free(in->remap);
	mw_header_free(&in->merged);
}

/* in->merged must be initialized (mw_header_init). */
static int inputs_open(struct inputs *in, const struct sim_opts *o)
{
	int i;
	unsigned t;

	in->n = 0;
	in->s = calloc((size_t)o->npaths, sizeof(*in->s));
	in->remap = calloc((size_t)o->npaths, sizeof(*in->remap));
	if (!in->s || !in->remap) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < o->npaths; i++) {
		const struct mw_trace_header *h;

		in->s[i] = cli_open_trace(o->paths[i], &o->in);
		if (!in->s[i])
			return CLI_EXIT_FAIL;
		in->n++;
		h = mw_stream_header(in->s[i]);
		if (h->units > in->merged.units)
			in->merged.units = h->units;
		for (t = 1; t <= h->ntensors; t++) {
			const struct mw_tensor *x = &h->tensors[t];
			unsigned m =
				mw_header_find_tensor(&in->merged, x->name);
			int r;

			if (!m) {
				r = mw_header_add_tensor(&in->merged, x->name,
							 x->base, x->bytes);
				if (r < 0) {
					cli_error("%s: more than %d distinct "
						  "tensors in the traces",
						  o->paths[i], MW_TENSOR_MAX);
					return CLI_EXIT_FAIL;
				}
				m = (unsigned)r;
			}
			in->remap[i][t] = (uint8_t)m;
		}
	}
	return CLI_EXIT_OK;
}

static const char *ratio(char *buf, size_t cap, uint64_t part, uint64_t whole)
{
	if (!whole)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.2f%%",
			 100.0 * (double)part / (double)whole);
	return buf;
}

enum {
	C_LEVEL,
	C_ACC,
	C_HITS,
	C_RATIO,
	C_MISS,
	C_SECT,
	C_WB,
	C_FROM,
	C_TO,
	C_COUNT
};

static void level_cells(char cell[C_COUNT][40], const char *name,
			const struct mw_counters *c)
{
	const uint64_t *v = c->v;

	snprintf(cell[C_LEVEL], 40, "%s", name);
	mw_fmt_count(cell[C_ACC], 40, v[MW_STAT_ACCESSES]);
	mw_fmt_count(cell[C_HITS], 40, v[MW_STAT_HITS]);
	ratio(cell[C_RATIO], 40, v[MW_STAT_SECTOR_MISSES], v[MW_STAT_ACCESSES]);
	mw_fmt_count(cell[C_MISS], 40, v[MW_STAT_MISSES]);
	mw_fmt_count(cell[C_SECT], 40, v[MW_STAT_SECTOR_MISSES]);
	mw_fmt_count(cell[C_WB], 40, v[MW_STAT_WRITEBACKS]);
	mw_fmt_bytes(cell[C_FROM], 40, v[MW_STAT_BYTES_FROM_BELOW]);
	mw_fmt_bytes(cell[C_TO], 40, v[MW_STAT_BYTES_TO_BELOW]);
}

static void memory_cells(char cell[C_COUNT][40], const char *name,
			 const struct mw_mem_counters *m)
{
	int c;

	for (c = 0; c < C_COUNT; c++)
		snprintf(cell[c], 40, "-");
	snprintf(cell[C_LEVEL], 40, "%s", name);
	mw_fmt_count(cell[C_ACC], 40, m->v[MW_MEM_READS] + m->v[MW_MEM_WRITES]);
	mw_fmt_bytes(cell[C_FROM], 40, m->v[MW_MEM_BYTES_READ]);
	mw_fmt_bytes(cell[C_TO], 40, m->v[MW_MEM_BYTES_WRITTEN]);
}

static const char *const level_titles[C_COUNT] = {
	"level",	 "accesses",   "hits",	     "miss ratio", "misses",
	"sector misses", "writebacks", "from below", "to below"};

/* Whether tensor t has any request at any level or at memory. */
static bool tensor_used(const struct mw_hier *h, uint32_t t)
{
	struct mw_counters c;
	struct mw_mem_counters m;
	uint32_t l;

	for (l = 0; l < mw_hier_levels(h); l++)
		if (!mw_hier_level_stats(h, l, MW_STATS_ALL, t, MW_STATS_ALL,
					 &c) &&
		    c.v[MW_STAT_ACCESSES])
			return true;
	return !mw_hier_memory_stats(h, t, MW_STATS_ALL, &m) &&
	       (m.v[MW_MEM_READS] || m.v[MW_MEM_WRITES]);
}

static int print_report(const struct sim_opts *o, const struct mw_hier *h,
			const struct mw_hw_cfg *cfg,
			const struct mw_trace_header *hdr, uint64_t records)
{
	char cell[C_COUNT][40], a[40], b[40];
	struct cli_table *t;
	struct mw_counters c;
	struct mw_mem_counters m;
	uint32_t l, tn;
	int err = 0;
	bool tagged = false;

	printf("sim: %s%s on %s (%u unit%s", o->paths[0],
	       o->npaths > 1 ? " ..." : "", cfg->machine.name,
	       cfg->machine.units, cfg->machine.units == 1 ? "" : "s");
	for (l = 0; l < cfg->nlevels; l++) {
		const struct mw_level_cfg *lv = &cfg->levels[l];

		printf(", %s %s", lv->name,
		       mw_fmt_bytes(a, sizeof(a), lv->size));
	}
	printf(")\n  %s records\n\n", mw_fmt_count(a, sizeof(a), records));
	t = cli_table_led(NULL, level_titles, C_COUNT);
	if (!t)
		return MW_ENOMEM;
	for (l = 0; l < mw_hier_levels(h); l++) {
		mw_hier_level_stats(h, l, MW_STATS_ALL, MW_STATS_ALL,
				    MW_STATS_ALL, &c);
		level_cells(cell, cfg->levels[l].name, &c);
		err |= cli_table_led_row(t, NULL, cell, C_COUNT);
	}
	mw_hier_memory_stats(h, MW_STATS_ALL, MW_STATS_ALL, &m);
	memory_cells(cell, "memory", &m);
	err |= cli_table_led_row(t, NULL, cell, C_COUNT);
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
	printf("\n  memory: %s read (%s requests), %s written (%s requests)\n",
	       mw_fmt_bytes(a, sizeof(a), m.v[MW_MEM_BYTES_READ]),
	       mw_fmt_count(b, sizeof(b), m.v[MW_MEM_READS]),
	       mw_fmt_bytes(cell[0], 40, m.v[MW_MEM_BYTES_WRITTEN]),
	       mw_fmt_count(cell[1], 40, m.v[MW_MEM_WRITES]));
	for (tn = 1; tn <= hdr->ntensors; tn++)
		tagged = tagged || tensor_used(h, tn);
	if (!tagged)
		return err ? MW_ENOMEM : 0;
	t = cli_table_led("tensor", level_titles, C_COUNT);
	if (!t)
		return MW_ENOMEM;
	for (tn = 0; tn <= hdr->ntensors; tn++) {
		const char *name = mw_header_tensor_name(hdr, tn);

		if (!tensor_used(h, tn))
			continue;
		for (l = 0; l < mw_hier_levels(h); l++) {
			mw_hier_level_stats(h, l, MW_STATS_ALL, tn,
					    MW_STATS_ALL, &c);
			level_cells(cell, cfg->levels[l].name, &c);
			err |= cli_table_led_row(t, l ? "" : name, cell,
						 C_COUNT);
		}
		mw_hier_memory_stats(h, tn, MW_STATS_ALL, &m);
		memory_cells(cell, "memory", &m);
		err |= cli_table_led_row(t, mw_hier_levels(h) ? "" : name, cell,
					 C_COUNT);
	}
	printf("\n  per tensor:\n");
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
	return err ? MW_ENOMEM : 0;
}

/* A numeric result as a double; -1 when absent. */
static double num(const struct mw_results *r, const char *scope,
		  const char *metric)
{
	const struct mw_result *x = mw_results_find(r, scope, metric);

	if (!x)
		return -1;
	if (x->kind == MW_RESULT_U64)
		return (double)x->u;
	if (x->kind == MW_RESULT_F64)
		return x->f;
	return -1;
}

static uint64_t count(const struct mw_results *r, const char *metric)
{
	double v = num(r, "memory", metric);

	return v > 0 ? (uint64_t)v : 0;
}

static const char *with_share(char *buf, size_t cap, uint64_t part,
			      uint64_t whole)
{
	char n[40], p[40];

	snprintf(buf, cap, "%s (%s)", mw_fmt_count(n, sizeof(n), part),
		 ratio(p, sizeof(p), part, whole));
	return buf;
}

static int mem_row(struct cli_table *t, const char *name, const char *value)
{
	const char *cells[2] = {name, value};

	return cli_table_row(t, cells);
}

/* The memory model's table, from the results list. */
static int print_memory(const struct mw_machine *mach,
			const struct mw_results *r)
{
	const struct mw_dram_cfg *c = mw_machine_dram_cfg(mach);
	uint32_t nch = c->stacks * c->channels, i;
	uint64_t tx = count(r, "transactions");
	double peak = mw_machine_peak_bw(mach) / 1e9;
	double umin = 0, umax = 0, usum = 0;
	char v[160], a[40], b[40];
	struct cli_table *t;
	int err = 0;

	printf("\n  memory model: %s, %s mode, %u stack%s x %u channel%s x %u "
	       "pseudo-channel%s, %u B transactions, mapping %s\n",
	       c->standard, mw_machine_timed(mach) ? "timing" : "counting",
	       c->stacks, c->stacks == 1 ? "" : "s", c->channels,
	       c->channels == 1 ? "" : "s", c->pseudo_channels,
	       c->pseudo_channels == 1 ? "" : "s", c->tx_bytes, c->mapping);
	printf("  peak bandwidth %.1f GB/s = %u channels x %u pseudo-channels "
	       "x %u B / (nBL %u CK x tCK %.4g ns)\n\n",
	       peak, nch, c->pseudo_channels, c->tx_bytes, c->t.nBL, c->tck_ns);
	t = cli_table_create(2);
	if (!t)
		return MW_ENOMEM;
	cli_table_column(t, 0, "memory", false);
	cli_table_column(t, 1, "value", false);
	snprintf(v, sizeof(v), "%s read, %s written",
		 mw_fmt_bytes(a, sizeof(a), count(r, "bytes_read")),
		 mw_fmt_bytes(b, sizeof(b), count(r, "bytes_written")));
	err |= mem_row(t, "bytes", v);
	snprintf(v, sizeof(v), "%s of %u B (overfetch %s)",
		 mw_fmt_count(a, sizeof(a), tx), c->tx_bytes,
		 mw_fmt_bytes(b, sizeof(b), count(r, "overfetch_bytes")));
	err |= mem_row(t, "transactions", v);
	err |= mem_row(t, "row hits",
		       with_share(v, sizeof(v), count(r, "row_hits"), tx));
	err |= mem_row(t, "row misses",
		       with_share(v, sizeof(v), count(r, "row_misses"), tx));
	err |= mem_row(t, "row conflicts",
		       with_share(v, sizeof(v), count(r, "row_conflicts"), tx));
	snprintf(v, sizeof(v), "%s activations, %s refreshes",
		 mw_fmt_count(a, sizeof(a), count(r, "activations")),
		 mw_fmt_count(b, sizeof(b), count(r, "refreshes")));
	err |= mem_row(t, "commands", v);
	if (mw_machine_timed(mach)) {
		snprintf(v, sizeof(v), "mean %.1f ns, p50 %.1f ns, p99 %.1f ns",
			 num(r, "memory", "read_latency_mean_ns"),
			 num(r, "memory", "read_latency_p50_ns"),
			 num(r, "memory", "read_latency_p99_ns"));
		err |= mem_row(t, "read latency", v);
		snprintf(v, sizeof(v), "%.1f ns", num(r, "memory", "time_ns"));
		err |= mem_row(t, "time", v);
		snprintf(v, sizeof(v),
			 "%.1f GB/s = %.1f%% of the peak %.1f GB/s",
			 num(r, "memory", "effective_bandwidth_GBps"),
			 100 * num(r, "memory", "efficiency"), peak);
		err |= mem_row(t, "effective bandwidth", v);
		for (i = 0; i < nch; i++) {
			char scope[32];
			double u;

			snprintf(scope, sizeof(scope), "memory:ch%u", i);
			u = num(r, scope, "utilization");
			if (u < 0)
				u = 0;
			usum += u;
			if (!i || u < umin)
				umin = u;
			if (!i || u > umax)
				umax = u;
		}
		snprintf(v, sizeof(v), "min %.1f%%, mean %.1f%%, max %.1f%%",
			 100 * umin, nch ? 100 * usum / nch : 0, 100 * umax);
		err |= mem_row(t, "channel utilization", v);
	} else {
		err |= mem_row(t, "time",
			       "- (counting mode: [memory] has no "
			       "keys, or timing = off)");
	}
	snprintf(v, sizeof(v), "%.2f (busiest channel's bytes / mean)",
		 num(r, "memory", "imbalance"));
	err |= mem_row(t, "channel imbalance", v);
	cli_table_print(t, stdout, 2);
	cli_table_destroy(t);
	return err ? MW_ENOMEM : 0;
}

static int add_results(struct mw_results *r, const struct mw_machine *m,
		       const struct mw_hw_cfg *cfg,
		       const struct mw_trace_header *hdr, uint64_t records,
		       int ntraces)
{
	int err = 0;

	err |= mw_results_add_text(r, "sim", "hw", cfg->machine.name);
	err |= mw_results_add_u64(r, "sim", "traces", (uint64_t)ntraces);
	err |= mw_results_add_u64(r, "sim", "records", records);
	err |= mw_results_add_u64(r, "sim", "units", cfg->machine.units);
	err |= mw_results_add_u64(r, "sim", "levels", cfg->nlevels);
	if (err)
		return MW_ENOMEM;
	return mw_machine_results(m, hdr, r);
}

/*
 * The hierarchy numbers a failing record from 0 within the batch
 * ("record 16: ..."); report it from 1 within the trace.
 */
static void batch_error(const char *path, uint64_t first, const char *msg)
{
	unsigned long long k;
	int used = 0;

	if (sscanf(msg, "record %llu: %n", &k, &used) == 1 && used > 0)
		cli_error("%s: record %llu: %s", path, first + k + 1,
			  msg + used);
	else
		cli_error("%s: %s", path, msg);
}

int cmd_sim(int argc, char **argv)
{
	static struct mw_access buf[BATCH];
	struct sim_opts o;
	struct mw_hw_cfg cfg;
	struct inputs in;
	struct mw_machine *mach = NULL;
	struct mw_hier *h;
	struct mw_results *res = NULL;
	struct mw_diag d;
	uint64_t records = 0;
	int status = CLI_EXIT_FAIL, i;
	long n = 0, k;

	memset(&o, 0, sizeof(o));
	memset(&in, 0, sizeof(in));
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	mw_header_init(&in.merged);
	if (cli_load_hw(&o.hw, &cfg))
		goto out;
	if (inputs_open(&in, &o))
		goto out;
	mw_diag_clear(&d);
	mach = mw_machine_create(&cfg, in.merged.ntensors, &d);
	if (!mach) {
		cli_error_diag(&d);
		goto out;
	}
	h = mw_machine_hier(mach);
	mw_hier_set_unit_fold(h, o.fold);
	for (i = 0; i < in.n && !o.fold; i++) {
		uint32_t u = mw_stream_header(in.s[i])->units;

		if (u > cfg.machine.units) {
			cli_error("%s: the trace spreads over %u units, %s has "
				  "%u (--fold-units runs unit u on u %% %u, or "
				  "--set machine.units=%u)",
				  o.paths[i], u, cfg.machine.name,
				  cfg.machine.units, cfg.machine.units, u);
			goto out;
		}
	}
	cli_progress_begin("records", 0);
	for (i = 0; i < in.n && !cli_interrupted; i++) {
		while ((n = mw_stream_read(in.s[i], buf, BATCH)) > 0) {
			for (k = 0; k < n; k++)
				buf[k].tensor = in.remap[i][buf[k].tensor];
			if (mw_machine_access_batch(mach, buf, (size_t)n)) {
				cli_progress_end();
				batch_error(o.paths[i],
					    mw_stream_records(in.s[i]) -
						    (uint64_t)n,
					    mw_machine_diag(mach)->msg);
				goto out;
			}
			records += (uint64_t)n;
			cli_progress_update(records);
			if (cli_interrupted)
				break;
		}
		if (cli_interrupted)
			break;
		if (n < 0)
			cli_progress_end();
		if (cli_finish_stream(in.s[i], n))
			goto out;
	}
	cli_progress_end();
	if (cli_interrupted) {
		status = CLI_EXIT_INTERRUPTED;
		goto out;
	}
	if (mw_machine_finish(mach, o.flush)) {
		cli_error_diag(mw_machine_diag(mach));
		goto out;
	}
	res = mw_results_create();
	if (!res || add_results(res, mach, &cfg, &in.merged, records, in.n)) {
		cli_error("out of memory");
		goto out;
	}
	if (!o.csv || strcmp(o.csv, "-")) {
		if (print_report(&o, h, &cfg, &in.merged, records) ||
		    print_memory(mach, res)) {
			cli_error("out of memory");
			goto out;
		}
	}
	if (o.csv && cli_write_results_csv(o.csv, res))
		goto out;
	status = CLI_EXIT_OK;
out:
	mw_results_destroy(res);
	mw_machine_destroy(mach);
	inputs_close(&in);
	return status;
}
