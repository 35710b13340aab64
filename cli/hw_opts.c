/*
 * hw_opts.c - the hardware options every simulating subcommand shares
 * (--hw, --set), as an argp child, and loading the config they name.
 *
 * Notes:
 *  - Overrides apply in command-line order after the file or preset is
 *    loaded, and the config is validated once, after the last one, so a
 *    --set may fix what an earlier one made inconsistent (size and ways).
 */
#include "cli/cli.h"

#include "hierarchy/hwconfig.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_HW = 0x300,
	OPT_SET
};

static const struct argp_option hw_options[] = {
	{"hw", OPT_HW, "NAME|FILE", 0,
	 "Machine: a built-in preset (memwall hw list) or an INI file", 0},
	{"set", OPT_SET, "SECTION.KEY=VALUE", 0,
	 "Override one key of the machine, repeatable: l2.size=60MiB, "
	 "l1.ways=full, machine.units=8, memory.channels=8; l3.KEY adds a "
	 "level below l2",
	 0},
	{0}};

static error_t parse_hw(int key, char *arg, struct argp_state *state)
{
	struct cli_hw_opts *o = state->input;

	switch (key) {
	case OPT_HW:
		o->hw = arg;
		break;
	case OPT_SET:
		if (o->nsets == CLI_SETS_MAX)
			argp_error(state, "at most %d --set options",
				   CLI_SETS_MAX);
		o->sets[o->nsets++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_hw_argp = {hw_options, parse_hw, NULL, NULL,
				 NULL,	     NULL,     NULL};

int cli_load_hw(const struct cli_hw_opts *o, struct mw_hw_cfg *cfg)
{
	struct mw_diag d;
	unsigned i;

	mw_diag_clear(&d);
	if (mw_hw_open(cfg, o->hw, &d)) {
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	for (i = 0; i < o->nsets; i++) {
		size_t used = strlen(cfg->source);

		if (mw_hw_set(cfg, o->sets[i], &d)) {
			cli_error_diag(&d);
			return CLI_EXIT_FAIL;
		}
		/* the source names the overrides too (reports, hw show) */
		snprintf(cfg->source + used, sizeof(cfg->source) - used,
			 " --set %s", o->sets[i]);
	}
	if (o->nsets && mw_hw_validate(cfg, &d)) {
		/* the file was valid: an override broke it */
		snprintf(d.file, sizeof(d.file), "--set");
		cli_error_diag(&d);
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
