$MEMWALL info sample.din
