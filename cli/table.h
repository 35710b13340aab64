/*
 * table.h - aligned text tables for reports a person reads.
 * Text columns align left, numeric columns right; a rule under the
 * header; column widths from the widest cell.
 */
#ifndef MW_TABLE_H
#define MW_TABLE_H

#include <stdbool.h>
#include <stdio.h>

struct cli_table;

#define CLI_TABLE_CELL 40 /* bytes of a cell for cli_table_led_row */

/* ncols columns; returns an owned table or NULL. */
struct cli_table *cli_table_create(unsigned ncols);
void cli_table_destroy(struct cli_table *t);
/* Column title and alignment (numeric = right-aligned). */
void cli_table_column(struct cli_table *t, unsigned col, const char *title,
		      bool numeric);
/* Appends a row: ncols cells (copied).  0 or MW_ENOMEM. */
int cli_table_row(struct cli_table *t, const char *const *cells);
/*
 * A table of n columns titled titles (borrowed), the first text and the
 * others numeric, led by a text column titled lead unless lead is NULL
 * (the level reports of run and sim, whole and per tensor).  Owned
 * table or NULL.
 */
struct cli_table *cli_table_led(const char *lead, const char *const *titles,
				unsigned n);
/*
 * Appends a row to a table of cli_table_led: lead (non-NULL exactly when
 * the table has a lead column) then the n cells (copied).  0 or MW_ENOMEM.
 */
int cli_table_led_row(struct cli_table *t, const char *lead,
		      char (*cell)[CLI_TABLE_CELL], unsigned n);
/* Prints with indent spaces before each line. */
void cli_table_print(const struct cli_table *t, FILE *f, unsigned indent);

#endif
