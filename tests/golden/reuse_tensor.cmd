$MEMWALL reuse reuse_small.mwt --per tensor
