$MEMWALL info sample.csv --csv -
