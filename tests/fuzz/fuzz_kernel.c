/*
 * fuzz_kernel.c - kernel parameters from arbitrary text.  The first line
 * names the kernel, each further line is KEY=VALUE.  Every refusal must
 * say why; a valid point must build a stream whose first records lie
 * inside their tensors and never cross a 128-byte line.
 */
#include "model/kernel.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL;
	struct mw_kernel *k = NULL;
	struct mw_sched_cfg cfg = {7, 2};
	struct mw_diag d;

	memcpy(text, data, size);
	text[size] = 0;
	line = strtok_r(text, "\n", &save);
	if (line)
		k = mw_kernel_create(line, &d);
	if (!k) {
		free(text);
		return 0;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = 0;
		d.msg[0] = 0;
		if (mw_kernel_set(k, line, eq + 1, &d) && !d.msg[0])
			abort();
	}
	d.msg[0] = 0;
	if (mw_kernel_validate(k, &d) == 0) {
		struct mw_stream *s = mw_kernel_stream(k, &cfg, &d);
		struct mw_access buf[512];
		long n, i, rounds = 0;

		if (!s && !d.msg[0])
			abort();
		while (s && rounds++ < 20 &&
		       (n = mw_stream_read(s, buf, 512)) > 0) {
			const struct mw_trace_header *h = mw_stream_header(s);

			for (i = 0; i < n; i++) {
				const struct mw_tensor *t;

				if (!buf[i].tensor ||
				    buf[i].tensor > h->ntensors)
					abort();
				t = &h->tensors[buf[i].tensor];
				if (buf[i].addr < t->base || !buf[i].size ||
				    buf[i].addr + buf[i].size >
					    t->base + t->bytes ||
				    buf[i].addr / 128 !=
					    (buf[i].addr + buf[i].size - 1) /
						    128 ||
				    buf[i].unit >= cfg.units)
					abort();
			}
		}
		mw_stream_destroy(s);
	} else if (!d.msg[0]) {
		abort();
	}
	mw_kernel_destroy(k);
	free(text);
	return 0;
}
