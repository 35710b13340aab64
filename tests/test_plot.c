/*
 * test_plot.c - `memwall plot`: each kind of plot produces a non-empty
 * image, errors name the column, user strings never reach a shell, and no
 * file appears when gnuplot fails.  Needs gnuplot (scripts/deps.sh test
 * installs gnuplot-nox); the tests that draw are skipped, saying so, when
 * it is absent.
 */
#include "cli/cli.h"
#include "tests/helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sweep_csv[] =
	"point,hw,m,tile,order,memory.bytes_read,time.total_ns,time.bound\n"
	"0,h100-sxm,4096,64x64x32,row,805306368,240390.4,memory\n"
	"1,h100-sxm,4096,64x64x32,grouped:8,268435456,80130.1,memory\n"
	"2,h100-sxm,4096,128x128x64,row,402653184,120195.2,memory\n"
	"3,h100-sxm,4096,128x128x64,grouped:8,134217728,40065.1,L2\n"
	"4,h100-sxm,4096,256x128x64,row,301989888,90146.4,memory\n"
	"5,h100-sxm,4096,256x128x64,grouped:8,100663296,30048.8,L2\n";

static const char mrc_csv[] = "scope,capacity_bytes,misses,miss_ratio\n"
			      "all,1024,1000,1\n"
			      "all,65536,600,0.6\n"
			      "all,4194304,100,0.1\n"
			      "all,268435456,10,0.01\n"
			      "A,1024,500,1\n"
			      "A,65536,250,0.5\n"
			      "A,4194304,50,0.1\n"
			      "A,268435456,5,0.01\n";

static bool have_gnuplot(void)
{
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

#define NEED_GNUPLOT()                                                         \
	do {                                                                   \
		if (!have_gnuplot())                                           \
			cr_skip_test("gnuplot is not installed (sh "           \
				     "scripts/deps.sh plot installs it)");     \
	} while (0)

static int plot(const char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cmd_plot(argc, (char **)argv);
}

/* The image exists, is not empty and starts like an SVG or a PNG. */
static void expect_image(const char *path, bool png)
{
	size_t len;
	char *img = th_slurp(path, &len);

	cr_assert_not_null(img, "%s was not written", path);
	cr_assert_gt(len, 1000, "%s is only %zu bytes", path, len);
	if (png)
		cr_assert(!memcmp(img, "\x89PNG", 4), "not a PNG");
	else
		cr_assert(strstr(img, "<svg"), "not an SVG");
	free(img);
}

Test(plot, lines_per_group)
{
	char *csv, *out = th_temp_path(".svg");
	const char *argv[] = {
		"memwall plot", NULL,	 "--x", "tile", "--y", "time.total_ns",
		"--by",		"order", "-o",	out,	NULL};
	char *img;
	size_t len;

	NEED_GNUPLOT();
	csv = th_temp_file(".csv", sweep_csv, strlen(sweep_csv));
	argv[1] = csv;
	cr_assert_eq(plot(argv), 0);
	expect_image(out, false);
	img = th_slurp(out, &len);
	/* a line per order, categories on x, microseconds on y */
	cr_assert(strstr(img, "order=grouped:8"));
	cr_assert(strstr(img, "order=row"));
	cr_assert(strstr(img, "128x128x64"));
	cr_assert(strstr(img, "time.total_ns (\u00b5s)"));
	free(img);
	th_remove(csv);
	th_remove(out);
}

Test(plot, heatmap)
{
	char *csv, *out = th_temp_path(".png");
	const char *argv[] = {
		"memwall plot",	     NULL, "--x", "tile", "--y", "order", "--z",
		"memory.bytes_read", "-o", out,	  NULL};

	NEED_GNUPLOT();
	csv = th_temp_file(".csv", sweep_csv, strlen(sweep_csv));
	argv[1] = csv;
	cr_assert_eq(plot(argv), 0);
	expect_image(out, true);
	th_remove(csv);
	th_remove(out);
}

Test(plot, miss_ratio_curve)
{
	char *csv, *out = th_temp_path(".svg");
	const char *argv[] = {"memwall plot", NULL, "-o", out, NULL};
	char *img;
	size_t len;

	NEED_GNUPLOT();
	csv = th_temp_file(".csv", mrc_csv, strlen(mrc_csv));
	argv[1] = csv;
	cr_assert_eq(plot(argv), 0);
	expect_image(out, false);
	img = th_slurp(out, &len);
	cr_assert(strstr(img, "scope=A"));
	/* log2 capacity tics in units */
	cr_assert(strstr(img, "64 KiB"), "no KiB tic");
	cr_assert(strstr(img, "256 MiB"), "no MiB tic");
	free(img);
	th_remove(csv);
	th_remove(out);
}

Test(plot, where_selects_rows)
{
	char *csv, *out = th_temp_path(".svg");
	const char *argv[] = {"memwall plot",
			      NULL,
			      "--x",
			      "tile",
			      "--y",
			      "memory.bytes_read",
			      "--where",
			      "order=row",
			      "-o",
			      out,
			      NULL};

	NEED_GNUPLOT();
	csv = th_temp_file(".csv", sweep_csv, strlen(sweep_csv));
	argv[1] = csv;
	cr_assert_eq(plot(argv), 0);
	expect_image(out, false);
	th_remove(csv);
	th_remove(out);
}

/* Two rows on one point of a line: an error naming what differs. */
Test(plot, ambiguous_rows_fail)
{
	char *csv = th_temp_file(".csv", sweep_csv, strlen(sweep_csv));
	char *out = th_temp_path(".svg");
	const char *argv[] = {"memwall plot", csv, "--x", "tile",
			      "-o",	      out, NULL};

	cr_assert_eq(plot(argv), CLI_EXIT_FAIL);
	cr_assert_eq(access(out, F_OK), -1);
	th_remove(csv);
	free(out);
}

Test(plot, missing_column_fails)
{
	char *csv = th_temp_file(".csv", sweep_csv, strlen(sweep_csv));
	char *out = th_temp_path(".svg");
	const char *argv[] = {"memwall plot", csv, "--x", "tiles",
			      "-o",	      out, NULL};
	const char *text_y[] = {
		"memwall plot", csv,	     "--x", "tile", "--y", "time.bound",
		"--where",	"order=row", "-o",  out,    NULL};

	cr_assert_eq(plot(argv), CLI_EXIT_FAIL);
	cr_assert_eq(access(out, F_OK), -1);
	/* y must be numbers; time.bound is text */
	cr_assert_eq(plot(text_y), CLI_EXIT_FAIL);
	cr_assert_eq(access(out, F_OK), -1);
	th_remove(csv);
	free(out);
}

Test(plot, missing_gnuplot_fails_cleanly)
{
	char *csv = th_temp_file(".csv", mrc_csv, strlen(mrc_csv));
	char *out = th_temp_path(".svg");
	const char *argv[] = {"memwall plot", csv, "-o", out, NULL};

	setenv("MEMWALL_GNUPLOT", "/nonexistent/gnuplot", 1);
	cr_assert_eq(plot(argv), CLI_EXIT_FAIL);
	cr_assert_eq(access(out, F_OK), -1, "an image without gnuplot");
	setenv("MEMWALL_GNUPLOT", "false", 1); /* gnuplot failing */
	cr_assert_eq(plot(argv), CLI_EXIT_FAIL);
	cr_assert_eq(access(out, F_OK), -1);
	th_remove(csv);
	free(out);
}

/* Quotes, backquotes and macros in user strings stay text. */
Test(plot, strings_are_not_code)
{
	char *marker = th_temp_path(".marker");
	char title[512], group[512], *csv, *out = th_temp_path(".svg");
	const char *argv[] = {"memwall plot", NULL,  "--x", "m", "--by", "g",
			      "--title",      title, "-o",  out, NULL};
	char data[2048];

	NEED_GNUPLOT();
	snprintf(title, sizeof(title), "it's `touch %s` @x", marker);
	snprintf(group, sizeof(group), "a'b`touch %s`", marker);
	snprintf(data, sizeof(data),
		 "g,m,time.total_ns\n\"%s\",1,5\n\"%s\",2,6\n", group, group);
	csv = th_temp_file(".csv", data, strlen(data));
	argv[1] = csv;
	cr_assert_eq(plot(argv), 0);
	expect_image(out, false);
	cr_assert_eq(access(marker, F_OK), -1, "a user string was run");
	th_remove(csv);
	th_remove(out);
	free(marker);
}
