/*
 * test_ncu.c - reading Nsight Compute CSV exports: both layouts and their
 * pitfalls (interleaved ==PROF== and program lines, per-cell units, the
 * raw units row, thousands separators, decimal commas, rule columns,
 * missing columns, n/a values).
 */
#include "model/ncu.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <string.h>

#define DATA "tests/data/ncu/"

static double metric(const struct mw_ncu_launch *l, const char *name)
{
	const struct mw_ncu_metric *m = mw_ncu_metric(l, name);

	cr_assert_not_null(m, "no metric %s", name);
	return m->value;
}

Test(ncu, details_page_long_form)
{
	struct mw_diag d;
	struct mw_ncu_table *t = mw_ncu_load(DATA "details-long.csv", &d);
	const struct mw_ncu_launch *l;

	cr_assert_not_null(t, "%s", d.msg);
	cr_assert_eq(mw_ncu_count(t), 2);
	l = mw_ncu_find_launch(t, 0);
	cr_assert_str_eq(l->kernel, "matmul_kernel(float *, float *, float *, "
				    "int)");
	cr_assert_str_eq(l->grid, "(4096, 1, 1)");
	cr_assert_float_eq(metric(l, "dram__bytes_read.sum"), 1.63e9, 1);
	cr_assert_float_eq(metric(l, "dram__bytes_write.sum"), 134.22e6, 1);
	cr_assert_float_eq(metric(l, "lts__t_sectors_srcunit_tex_op_read.sum"),
			   1215000000.0, 0.5);
	cr_assert_float_eq(metric(l, "lts__t_sector_hit_rate.pct"), 0.875,
			   1e-12);
	cr_assert_float_eq(metric(l, "gpu__time_duration.sum"), 2.48e-3, 1e-15);
	cr_assert_null(mw_ncu_metric(l, "lts__t_sectors_srcunit_ltcfabric.sum"),
		       "n/a must leave the metric out");
	l = mw_ncu_find_launch(t, 1);
	cr_assert_float_eq(metric(l, "gpu__time_duration.sum"), 2512.30e-6,
			   1e-15);
	mw_ncu_table_destroy(t);
}

Test(ncu, raw_page_with_units_row)
{
	struct mw_diag d;
	struct mw_ncu_table *t = mw_ncu_load(DATA "raw-units.csv", &d);
	const struct mw_ncu_launch *l;

	cr_assert_not_null(t, "%s", d.msg);
	cr_assert_eq(mw_ncu_count(t), 2);
	l = mw_ncu_launch(t, 0);
	cr_assert_str_eq(l->kernel, "copy_kernel");
	cr_assert_float_eq(metric(l, "dram__bytes_read.sum"), 536.87e6, 1e-3);
	cr_assert_float_eq(metric(l, "dram__bytes_write.sum"), 536870.91e3,
			   1e-3);
	cr_assert_float_eq(metric(l, "gpu__time_duration.sum"), 357.2e-6,
			   1e-15);
	l = mw_ncu_launch(t, 1);
	cr_assert_float_eq(metric(l, "l1tex__t_sector_hit_rate.pct"), 0.455,
			   1e-12);
	cr_assert_float_eq(metric(l, "lts__t_sectors_srcunit_tex_op_read_"
				     "lookup_hit.sum"),
			   2201600, 1e-9);
	cr_assert_eq(l->nmetrics, 5);
	mw_ncu_table_destroy(t);
}

Test(ncu, old_export_decimal_comma)
{
	struct mw_diag d;
	struct mw_ncu_table *t = mw_ncu_load(DATA "old-long-eu.csv", &d);
	const struct mw_ncu_launch *l;

	cr_assert_not_null(t, "%s", d.msg);
	l = mw_ncu_launch(t, 0);
	cr_assert_str_eq(l->grid, "");
	cr_assert_float_eq(metric(l, "dram__bytes_read.sum"), 1215.5e6, 1e-3);
	cr_assert_float_eq(metric(l, "gpu__time_duration.sum"), 0.25e-3, 1e-15);
	mw_ncu_table_destroy(t);
}

Test(ncu, values_and_units)
{
	double v;

	cr_assert_eq(mw_ncu_value("1,215,000,000.00", "byte", &v), 0);
	cr_assert_float_eq(v, 1215000000.0, 1e-3);
	cr_assert_eq(mw_ncu_value("1.215.000,50", "byte", &v), 0);
	cr_assert_float_eq(v, 1215000.5, 1e-6);
	cr_assert_eq(mw_ncu_value("0,5", "Kbyte", &v), 0);
	cr_assert_float_eq(v, 500, 1e-9);
	cr_assert_eq(mw_ncu_value("3", "Gbyte/second", &v), 0);
	cr_assert_float_eq(v, 3e9, 1e-3);
	cr_assert_eq(mw_ncu_value("12", "cycle/nsecond", &v), 0);
	cr_assert_float_eq(v, 12e9, 1e-3);
	cr_assert_eq(mw_ncu_value("7", "", &v), 0);
	cr_assert_eq(mw_ncu_value("n/a", "byte", &v), MW_EPARSE);
	cr_assert_eq(mw_ncu_value("12", "furlong", &v), MW_EPARSE);
	cr_assert_eq(mw_ncu_value("", "byte", &v), MW_EPARSE);
	cr_assert_eq(mw_ncu_value("1e999", "byte", &v), MW_EPARSE);
}

static void expect_error(const char *text, uint64_t line, const char *why)
{
	char *p = th_temp_file(".csv", text, strlen(text));
	struct mw_diag d;

	mw_diag_clear(&d);
	cr_assert_null(mw_ncu_load(p, &d), "loaded: %s", text);
	cr_assert_eq(d.line, line, "line %llu: %s", (unsigned long long)d.line,
		     d.msg);
	cr_assert(strstr(d.msg, why), "%s", d.msg);
	th_remove(p);
}

Test(ncu, errors_name_line_and_reason)
{
	expect_error("\"ID\",\"Metric Name\",\"Metric Value\"\n", 1,
		     "Kernel Name");
	expect_error("no csv here\n", 0, "no Nsight Compute CSV header");
	expect_error("\"ID\",\"Kernel Name\",\"Metric Name\",\"Metric Unit\","
		     "\"Metric Value\"\n\"0\",\"k\",\"dram__bytes_read.sum\","
		     "\"byte\",\"lots\"\n",
		     2, "cannot read value 'lots'");
	expect_error("\"ID\",\"Kernel Name\",\"Metric Name\",\"Metric Unit\","
		     "\"Metric Value\"\n\"0\",\"k\",\"x\"\n",
		     2, "3 fields where the header has 5");
	expect_error("\"ID\",\"Kernel Name\",\"dram__bytes.sum\"\n"
		     "\"zero\",\"k\",\"1\"\n",
		     2, "launch ID");
	expect_error("\"ID\",\"Kernel Name\",\"Duration\"\n", 1, "neither");
	expect_error("\"ID\",\"Kernel Name\",\"dram__bytes.sum\"\n", 0,
		     "no kernel launches");
}
