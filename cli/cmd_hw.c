/*
 * cmd_hw.c - `memwall hw`: list the built-in hardware presets and show
 * one (or an INI file) as INI text to copy and edit.
 *
 * Notes:
 *  - `hw show PRESET` prints the preset's file as shipped, with the
 *    sources of its figures in comments.  With --set or --full, or for a
 *    FILE, it prints the resolved config with every key explicit
 *    (mw_hw_write_ini); both reload to the same config.
 *  - Every form ends with the address mapping of the memory, as INI
 *    comments (mw_dram_describe_mapping), so it reloads unchanged.
 *  - --full replaces the [memory] keys as given by the memory model's
 *    resolved section (mw_dram_cfg_write_ini: every key explicit, the
 *    standard's defaults included), which reloads to the same memory.
 */
#include "cli/cli.h"

#include "cli/table.h"
#include "hierarchy/dram.h"
#include "hierarchy/hwconfig.h"
#include "hierarchy/repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hw_opts {
	struct cli_hw_opts hw;
	const char *action;
	const char *target;
	bool full;
};

enum {
	OPT_FULL = 0x200
};

static const struct argp_option options[] = {{"full", OPT_FULL, NULL, 0,
					      "show: print every key "
					      "explicitly, not the preset's "
					      "file",
					      0},
					     {0}};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct hw_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &o->hw;
		break;
	case OPT_FULL:
		o->full = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			if (strcmp(arg, "list") && strcmp(arg, "show"))
				argp_error(state,
					   "unknown action '%s' (list, show)",
					   arg);
			o->action = arg;
		} else if (state->arg_num == 1 && !strcmp(o->action, "show")) {
			o->target = arg;
		} else {
			argp_error(state, "too many arguments");
		}
		break;
	case ARGP_KEY_END:
		if (!o->action)
			o->action = "list";
		if (!strcmp(o->action, "show") && !o->target && !o->hw.hw)
			argp_error(state, "show which machine? (a preset from "
					  "'memwall hw list', or an INI file)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = {
	{&cli_hw_argp, 0, "Hardware options:", 1}, {0}};

static const struct argp argp = {
	options,
	parse,
	"[list]\nshow NAME|FILE",
	"List the built-in hardware presets and the replacement policies, or "
	"show a machine as an INI file to copy and edit.  Presets are also "
	"shipped as files in hierarchy/presets/; docs/hwconfig.md lists every "
	"key.\v"
	"Examples:\n"
	"  memwall hw list\n"
	"  memwall hw show h100-sxm > my-gpu.ini\n"
	"  memwall hw show h100-sxm --set l2.size=60MiB --set l2.slices=4\n"
	"  memwall hw show my-gpu.ini      (every key, defaults included)",
	children,
	NULL,
	NULL,
};

static int list(void)
{
	const struct mw_hw_preset *p;
	const struct mw_repl_ops *const *r;
	struct cli_table *t = cli_table_create(2);

	if (!t) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	cli_table_column(t, 0, "preset", false);
	cli_table_column(t, 1, "machine", false);
	for (p = mw_hw_presets; p->name; p++) {
		const char *cells[2] = {p->name, p->description};

		cli_table_row(t, cells);
	}
	cli_table_print(t, stdout, 0);
	cli_table_destroy(t);
	printf("\nReplacement policies (replacement = NAME):\n");
	for (r = mw_repl_policies; *r; r++)
		printf("  %-10s %s\n", (*r)->name, (*r)->summary);
	printf("\n'memwall hw show NAME' prints a preset as INI.\n");
	return CLI_EXIT_OK;
}

/* The mapping of dc as INI comments. */
static void print_mapping(const struct mw_dram_cfg *dc, bool timed)
{
	char buf[4096];
	const char *s = buf, *e;

	mw_dram_describe_mapping(dc, buf, sizeof(buf));
	printf("\n; memory: %s, %s mode, %u B transactions, peak %.1f GB/s; "
	       "address ",
	       dc->standard, timed ? "timing" : "counting", dc->tx_bytes,
	       mw_dram_peak_bw(dc) / 1e9);
	while (*s) {
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		printf("%s%.*s\n", s == buf ? "" : ";", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
}

/* cfg as INI with the [memory] section resolved by the memory model. */
static int write_full(const struct mw_hw_cfg *cfg, const struct mw_dram_cfg *dc)
{
	char *text = NULL, *mem;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return MW_ENOMEM;
	rc = mw_hw_write_ini(cfg, f);
	if (fclose(f) || rc) {
		free(text);
		return MW_EIO;
	}
	mem = strstr(text, "\n[memory]\n");
	if (mem)
		mem[1] = 0;
	fputs(text, stdout);
	free(text);
	return mw_dram_cfg_write_ini(dc, stdout);
}

static int show(struct hw_opts *o)
{
	const struct mw_hw_preset *p;
	struct mw_hw_cfg cfg;
	struct mw_dram_cfg dc;
	struct mw_diag d;
	bool timed;
	int rc;

	if (o->target)
		o->hw.hw = o->target;
	p = strchr(o->hw.hw, '/') ? NULL : mw_hw_preset_find(o->hw.hw);
	if (cli_load_hw(&o->hw, &cfg))
		return CLI_EXIT_FAIL;
	mw_diag_clear(&d);
	rc = mw_dram_cfg_from_kv(&dc, cfg.mem, cfg.nmem, cfg.source, &d);
	if (rc < 0) {
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	timed = rc == 0;
	if (p && !o->hw.nsets && !o->full) {
		fputs(p->text, stdout);
		rc = 0;
	} else if (o->full) {
		rc = write_full(&cfg, &dc);
	} else {
		rc = mw_hw_write_ini(&cfg, stdout);
	}
	if (!rc)
		print_mapping(&dc, timed);
	if (rc || fflush(stdout) || ferror(stdout)) {
		cli_error("writing standard output failed");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

int cmd_hw(int argc, char **argv)
{
	struct hw_opts o;

	memset(&o, 0, sizeof(o));
	argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (!strcmp(o.action, "list"))
		return list();
	return show(&o);
}
