$MEMWALL reuse reuse_small.mwt --sample 50% --per unit
