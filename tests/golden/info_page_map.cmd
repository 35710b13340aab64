$MEMWALL info sample.csv --page-map 4KiB:7 && $MEMWALL info sample.csv --page-map 4000
