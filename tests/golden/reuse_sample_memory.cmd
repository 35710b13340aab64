$MEMWALL reuse reuse_small.mwt --sample-memory 4KiB
