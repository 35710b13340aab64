/*
 * fuzz_csv.c - the CSV trace reader (and the libcsv line splitter under
 * it) on arbitrary text, strict and with skip_bad.  Records must fit the
 * header (unit below the unit count, tensor within the table, size >= 1);
 * every failure must say why; what the strict reader accepts must survive
 * the CSV writer and read back equal, tensors by name.
 */
#include "tests/fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 4096

/* The header has units (the ones asked for, if any); records fit it. */
static bool csv_ok(const struct mw_access *a, const struct mw_trace_header *h,
		   const struct mw_read_opts *o)
{
	if (!a)
		return h->units && (!o->units || h->units == o->units);
	return a->addr <= UINT64_MAX - (a->size - 1) && a->unit < h->units &&
	       a->tensor <= h->ntensors && a->op < MW_OP_COUNT;
}

static long check(const char *path, bool skip_bad, uint32_t units,
		  struct mw_access *keep, struct mw_trace_header *h)
{
	struct mw_read_opts o = {
		.format = "csv", .skip_bad = skip_bad, .units = units};

	return fuzz_check_read(path, &o, 61, csv_ok, keep, CAP, h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mw_access recs[CAP], back[CAP];
	char path[64], out[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));
	struct mw_trace_header h, h2;
	long n, i;

	mw_header_init(&h);
	mw_header_init(&h2);
	n = check(path, false, 0, recs, &h);
	check(path, true, 0, NULL, NULL);
	check(path, true, 3, NULL, NULL);
	if (n > 0 && n <= CAP) {
		struct mw_diag d;
		struct mw_writer *w;

		snprintf(out, sizeof(out), "/tmp/fuzz_csv.%d.csv",
			 (int)getpid());
		w = mw_trace_create(out, &h, NULL, &d);
		if (!w || mw_writer_write(w, recs, (size_t)n, &d) ||
		    mw_writer_commit(w, &d))
			abort();
		if (check(out, false, h.units, back, &h2) != n)
			abort();
		for (i = 0; i < n; i++)
			if (recs[i].addr != back[i].addr ||
			    recs[i].size != back[i].size ||
			    recs[i].op != back[i].op ||
			    recs[i].unit != back[i].unit ||
			    strcmp(mw_header_tensor_name(&h, recs[i].tensor),
				   mw_header_tensor_name(&h2, back[i].tensor)))
				abort();
		unlink(out);
	}
	mw_header_free(&h);
	mw_header_free(&h2);
	close(fd);
	return 0;
}
