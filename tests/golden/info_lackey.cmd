$MEMWALL info sample.lackey.gz
