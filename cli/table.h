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

/* ncols columns; returns an owned table or NULL. */
struct cli_table *cli_table_create(unsigned ncols);
void cli_table_destroy(struct cli_table *t);
/* Column title and alignment (numeric = right-aligned). */
void cli_table_column(struct cli_table *t, unsigned col, const char *title,
		      bool numeric);
/* Appends a row: ncols cells (copied).  0 or MW_ENOMEM. */
int cli_table_row(struct cli_table *t, const char *const *cells);
/* Prints with indent spaces before each line. */
void cli_table_print(const struct cli_table *t, FILE *f, unsigned indent);

#endif
