/*
 * util.c - error reporting, interrupts and the progress line.
 *
 * Notes:
 *  - The progress line is drawn with a carriage return and cleared with
 *    "\033[K" only when stderr is a terminal; redirected stderr never
 *    sees it, so logs and golden tests stay clean.
 */
#include "cli/cli.h"

#include "common/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t cli_interrupted;

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("memwall: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("memwall: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_error_diag(const struct mw_diag *d)
{
	char buf[MW_DIAG_FILE + MW_DIAG_MSG + 64];

	cli_error("%s", mw_diag_format(d, buf, sizeof(buf)));
}

static void on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

void cli_catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static struct mw_progress progress;
static bool progress_on;
static bool progress_drawn;

void cli_progress_begin(const char *what, uint64_t total)
{
	progress_on = isatty(2);
	progress_drawn = false;
	mw_progress_start(&progress, what, total);
}

void cli_progress_update(uint64_t done)
{
	char line[160];

	if (!progress_on || !mw_progress_update(&progress, done))
		return;
	fprintf(stderr, "\r%s\033[K",
		mw_progress_format(&progress, line, sizeof(line)));
	progress_drawn = true;
}

void cli_progress_end(void)
{
	if (progress_drawn)
		fputs("\r\033[K", stderr);
	progress_on = false;
	progress_drawn = false;
}
