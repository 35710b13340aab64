$MEMWALL reuse reuse_small.mwt --line 96; echo "exit $?"
$MEMWALL reuse reuse_small.mwt --sample 2; echo "exit $?"
$MEMWALL reuse reuse_small.mwt --sample 1% --sample-memory 1MiB; echo "exit $?"
$MEMWALL reuse reuse_small.mwt --per thread; echo "exit $?"
$MEMWALL reuse no_such_file.mwt; echo "exit $?"
head -c 300 reuse_small.mwt | $MEMWALL reuse -; echo "exit $?"
$MEMWALL reuse reuse_small.mwt --csv /no/such/dir/x.csv >/dev/null
