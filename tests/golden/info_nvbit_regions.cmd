$MEMWALL info sample.nvbit.gz --units 4 --regions sample.nvbit.regions.csv --csv $TMPOUT/i.csv >/dev/null && grep "^trace:" $TMPOUT/i.csv
