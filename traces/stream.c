/*
 * stream.c - the header and the bookkeeping shared by every stream.
 *
 * Notes:
 *  - End and error are sticky: once ops->read returned 0 or an error,
 *    mw_stream_read keeps returning it without calling ops->read again,
 *    so a consumer may retry or drain safely.
 */
#include "traces/stream_impl.h"

#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

static const char *const op_names[MW_OP_COUNT] = {"read", "write", "ifetch"};

const char *mw_op_name(unsigned op)
{
	return op < MW_OP_COUNT ? op_names[op] : "?";
}

void mw_header_init(struct mw_trace_header *h)
{
	memset(h, 0, sizeof(*h));
	h->units = 1;
}

void mw_header_free(struct mw_trace_header *h)
{
	unsigned i;

	for (i = 1; i <= h->ntensors; i++)
		mw_free(h->tensors[i].name);
	mw_free(h->provenance);
	mw_header_init(h);
}

int mw_header_copy(struct mw_trace_header *dst,
		   const struct mw_trace_header *src)
{
	struct mw_trace_header tmp;
	unsigned i;

	mw_header_init(&tmp);
	tmp.units = src->units;
	memcpy(tmp.format, src->format, sizeof(tmp.format));
	for (i = 1; i <= src->ntensors; i++) {
		int idx = mw_header_add_tensor(&tmp, src->tensors[i].name,
					       src->tensors[i].base,
					       src->tensors[i].bytes);
		if (idx < 0) {
			mw_header_free(&tmp);
			return idx;
		}
	}
	if (src->provenance &&
	    mw_header_set_provenance(&tmp, src->provenance)) {
		mw_header_free(&tmp);
		return MW_ENOMEM;
	}
	mw_header_free(dst);
	*dst = tmp;
	return 0;
}

int mw_header_add_tensor(struct mw_trace_header *h, const char *name,
			 mw_addr base, uint64_t bytes)
{
	char *copy;

	if (!name || !*name)
		return MW_EINVAL;
	if (h->ntensors >= MW_TENSOR_MAX)
		return MW_ERANGE;
	copy = mw_strdup(name);
	if (!copy)
		return MW_ENOMEM;
	h->ntensors++;
	h->tensors[h->ntensors].name = copy;
	h->tensors[h->ntensors].base = base;
	h->tensors[h->ntensors].bytes = bytes;
	return (int)h->ntensors;
}

int mw_header_set_provenance(struct mw_trace_header *h, const char *text)
{
	char *copy = mw_strdup(text ? text : "");

	if (!copy)
		return MW_ENOMEM;
	mw_free(h->provenance);
	h->provenance = copy;
	return 0;
}

unsigned mw_header_find_tensor(const struct mw_trace_header *h,
			       const char *name)
{
	unsigned i;

	for (i = 1; i <= h->ntensors; i++)
		if (!strcmp(h->tensors[i].name, name))
			return i;
	return 0;
}

const char *mw_header_tensor_name(const struct mw_trace_header *h,
				  unsigned tensor)
{
	if (tensor == 0 || tensor > h->ntensors)
		return "untagged";
	return h->tensors[tensor].name;
}

void mw_stream_init(struct mw_stream *s, const struct mw_stream_ops *ops)
{
	s->ops = ops;
	mw_header_init(&s->hdr);
	memset(&s->stats, 0, sizeof(s->stats));
	mw_diag_clear(&s->diag);
	s->records = 0;
	s->file_bytes = 0;
	s->done = 0;
}

long mw_stream_read(struct mw_stream *s, struct mw_access *buf, size_t cap)
{
	long n;

	if (s->done)
		return s->done < 0 ? s->done : 0;
	if (cap == 0)
		return MW_EINVAL;
	n = s->ops->read(s, buf, cap);
	if (n > 0) {
		s->records += (uint64_t)n;
		return n;
	}
	if (n < 0 && s->diag.code == MW_OK)
		s->diag.code = (int)n;
	s->done = n < 0 ? n : 1;
	return n;
}

const struct mw_trace_header *mw_stream_header(const struct mw_stream *s)
{
	return &s->hdr;
}

const struct mw_stream_stats *mw_stream_stats(const struct mw_stream *s)
{
	return &s->stats;
}

const struct mw_diag *mw_stream_diag(const struct mw_stream *s)
{
	return &s->diag;
}

uint64_t mw_stream_records(const struct mw_stream *s)
{
	return s->records;
}

uint64_t mw_stream_file_size(const struct mw_stream *s)
{
	return s->file_bytes;
}

void mw_stream_destroy(struct mw_stream *s)
{
	if (!s)
		return;
	mw_header_free(&s->hdr);
	s->ops->destroy(s);
}
