cd "$TMPOUT" && $MEMWALL gen attention --seq 256 --heads 4 --kv-heads 2 --head-dim 64 --block-q 64 --block-kv 64 --units 8 -o fa.mwt --csv - && $MEMWALL info fa.mwt
