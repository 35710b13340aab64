/*
 * input_opts.c - the trace input options every trace-reading subcommand
 * shares, as an argp child, and opening a trace with them.
 */
#include "cli/cli.h"

#include "common/units.h"
#include "traces/pagemap.h"
#include "traces/regions.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_SKIP_BAD = 0x100,
	OPT_UNITS,
	OPT_REGIONS,
	OPT_PAGE_MAP
};

static const struct argp_option input_options[] = {
	{"format", 'f', "NAME", 0,
	 "Input format: auto (default), mwt, din, lackey, nvbit, csv", 0},
	{"skip-bad", OPT_SKIP_BAD, NULL, 0,
	 "Count and skip malformed lines instead of stopping at the first", 0},
	{"units", OPT_UNITS, "N", 0,
	 "Units (SMs, cores) of the trace: GPU traces with no SM ids spread "
	 "their CTAs over N (default 132); CSV traces declare N (default: "
	 "from the unit column)",
	 0},
	{"regions", OPT_REGIONS, "FILE", 0,
	 "Tag accesses with tensors from a CSV of name,base,size", 0},
	{"page-map", OPT_PAGE_MAP, "SIZE[:SEED]", 0,
	 "Map SIZE-byte pages (a power of two >= 64, e.g. 4KiB) to seeded "
	 "pseudo-random physical frames, as an OS does (SEED default 1)",
	 0},
	{0}};

/* SIZE[:SEED] into o; 0 or -1. */
static int parse_page_map(const char *arg, struct cli_input_opts *o)
{
	char size[64];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	uint64_t bytes, seed = 1;

	if (n >= sizeof(size))
		return -1;
	memcpy(size, arg, n);
	size[n] = 0;
	if (mw_parse_size(size, &bytes) || bytes < MW_PAGE_MAP_MIN ||
	    (bytes & (bytes - 1)))
		return -1;
	if (colon && mw_parse_u64(colon + 1, &seed))
		return -1;
	o->page_map = bytes;
	o->page_map_seed = seed;
	return 0;
}

static error_t parse_input(int key, char *arg, struct argp_state *state)
{
	struct cli_input_opts *o = state->input;
	uint64_t v;

	switch (key) {
	case 'f':
		if (strcmp(arg, "auto") && !mw_format_find(arg))
			argp_error(state, "unknown format '%s'", arg);
		o->read.format = arg;
		break;
	case OPT_SKIP_BAD:
		o->read.skip_bad = true;
		break;
	case OPT_UNITS:
		if (mw_parse_u64(arg, &v) || v == 0 || v > MW_UNITS_MAX)
			argp_error(state, "--units wants 1..%d, not '%s'",
				   MW_UNITS_MAX, arg);
		o->read.units = (uint32_t)v;
		break;
	case OPT_REGIONS:
		o->regions = arg;
		break;
	case OPT_PAGE_MAP:
		if (parse_page_map(arg, o))
			argp_error(state,
				   "--page-map wants SIZE[:SEED] with SIZE a "
				   "power of two >= %d bytes, not '%s'",
				   MW_PAGE_MAP_MIN, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_input_argp = {input_options, parse_input, NULL, NULL,
				    NULL,	   NULL,	NULL};

struct mw_stream *cli_open_trace(const char *path,
				 const struct cli_input_opts *o)
{
	struct mw_diag d;
	struct mw_stream *s;
	struct mw_regions *regions = NULL;

	mw_diag_clear(&d);
	if (o->regions) {
		regions = mw_regions_load(o->regions, &d);
		if (!regions) {
			cli_error_diag(&d);
			return NULL;
		}
	}
	s = mw_trace_open(path, &o->read, &d);
	if (!s) {
		cli_error_diag(&d);
		mw_regions_destroy(regions);
		return NULL;
	}
	if (regions) {
		s = mw_stream_tag_regions(s, regions, &d);
		if (!s) {
			cli_error_diag(&d);
			return NULL;
		}
	}
	if (o->page_map) {
		s = mw_stream_page_map(s, o->page_map, o->page_map_seed, &d);
		if (!s)
			cli_error_diag(&d);
	}
	return s;
}

int cli_finish_stream(struct mw_stream *s, long last_read)
{
	const struct mw_stream_stats *st = mw_stream_stats(s);

	if (last_read < 0) {
		cli_error_diag(mw_stream_diag(s));
		return CLI_EXIT_FAIL;
	}
	if (st->bad_skipped)
		cli_warn("skipped %llu malformed line%s",
			 (unsigned long long)st->bad_skipped,
			 st->bad_skipped == 1 ? "" : "s");
	return CLI_EXIT_OK;
}

#define DRAIN_BATCH 4096

int cli_drain_trace(struct mw_stream *s,
		    int (*feed)(void *ctx, const struct mw_access *recs,
				size_t n),
		    void *ctx)
{
	static struct mw_access buf[DRAIN_BATCH];
	long n;

	cli_progress_begin("records", 0);
	while ((n = mw_stream_read(s, buf, DRAIN_BATCH)) > 0 &&
	       !cli_interrupted) {
		if (feed(ctx, buf, (size_t)n)) {
			cli_progress_end();
			return CLI_EXIT_FAIL;
		}
		cli_progress_update(mw_stream_records(s));
	}
	cli_progress_end();
	if (cli_interrupted)
		return CLI_EXIT_INTERRUPTED;
	return cli_finish_stream(s, n);
}

int cli_feed_writer(void *ctx, const struct mw_access *recs, size_t n)
{
	struct mw_diag d;

	if (!mw_writer_write(ctx, recs, n, &d))
		return 0;
	cli_progress_end();
	cli_error_diag(&d);
	return 1;
}
