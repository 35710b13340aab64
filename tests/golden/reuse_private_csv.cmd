$MEMWALL reuse reuse_small.mwt --per op --view private --line 64 --csv -
