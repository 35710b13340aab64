/*
 * csvout.c - CSV output written with libcsv.
 *
 * Notes:
 *  - Fields that need no quoting (numbers, plain names) are written as
 *    they are; any field holding a comma, quote, space or line break goes
 *    through csv_write, which quotes it and doubles inner quotes.  Empty
 *    fields are written empty.
 *  - Files appear only when complete (traces/output.h).
 */
#include "cli/cli.h"

#include "traces/output.h"

#include <csv.h>
#include <string.h>

/* Appends one field at buf + *used; false when it does not fit. */
static bool put_field(char *buf, size_t cap, size_t *used, const char *field)
{
	size_t n = strlen(field), need;

	if (!strpbrk(field, ",\"\r\n \t")) {
		if (*used + n >= cap)
			return false;
		memcpy(buf + *used, field, n);
		*used += n;
		return true;
	}
	need = csv_write(NULL, 0, field, n);
	if (*used + need >= cap)
		return false;
	csv_write(buf + *used, cap - *used, field, n);
	*used += need;
	return true;
}

long cli_csv_row(char *buf, size_t cap, const char *const *fields, size_t n)
{
	size_t used = 0, i;

	for (i = 0; i < n; i++) {
		if (i) {
			if (used + 1 >= cap)
				return -1;
			buf[used++] = ',';
		}
		if (!put_field(buf, cap, &used, fields[i]))
			return -1;
	}
	if (used + 1 >= cap)
		return -1;
	buf[used++] = '\n';
	buf[used] = '\0';
	return (long)used;
}

int cli_write_results_csv(const char *path, const struct mw_results *r)
{
	static const char *const header[3] = {"scope", "metric", "value"};
	struct mw_diag d;
	struct mw_output *out = mw_output_create(path, false, &d);
	char row[2048], val[512];
	long len;
	size_t i;

	if (!out) {
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	len = cli_csv_row(row, sizeof(row), header, 3);
	if (mw_output_write(out, row, (size_t)len, &d))
		goto out_fail;
	for (i = 0; i < mw_results_count(r); i++) {
		const struct mw_result *res = mw_results_get(r, i);
		const char *fields[3] = {res->scope, res->metric,
					 mw_result_value(res, val,
							 sizeof(val))};

		len = cli_csv_row(row, sizeof(row), fields, 3);
		if (len < 0) {
			mw_diag_set(&d, MW_ERANGE, path, 0,
				    "result %s.%s is too long for a CSV row",
				    res->scope, res->metric);
			goto out_fail;
		}
		if (mw_output_write(out, row, (size_t)len, &d))
			goto out_fail;
	}
	if (mw_output_commit(out, &d)) {
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
out_fail:
	cli_error_diag(&d);
	mw_output_abort(out);
	return CLI_EXIT_FAIL;
}
