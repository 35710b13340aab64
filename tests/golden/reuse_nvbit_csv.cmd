$MEMWALL reuse sample.nvbit.gz --units 4 --regions sample.nvbit.regions.csv --per tensor --csv $TMPOUT/r.csv && head -4 $TMPOUT/r.csv && wc -l <$TMPOUT/r.csv
