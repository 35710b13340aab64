$MEMWALL reuse ../fuzz/corpus/mwt/empty.mwt --per op && $MEMWALL reuse ../fuzz/corpus/mwt/empty.mwt --csv -
