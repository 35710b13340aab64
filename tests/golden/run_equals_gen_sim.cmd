# every l1, l2 and memory counter of sim on gen's trace equals run's
hw="--hw h100-sxm --set machine.units=6 --set l2.size=384KiB"
k="attention --seq 384 --heads 4 --kv-heads 2 --head-dim 64 --block-q 64"
$MEMWALL gen $k $hw -o $TMPOUT/rg.mwt >/dev/null && $MEMWALL sim $TMPOUT/rg.mwt $hw --flush --csv - | grep -E '^(l1|l2|memory)' | sort > $TMPOUT/sim.txt && $MEMWALL run $k $hw --csv - | grep -E '^(l1|l2|memory)' | sort > $TMPOUT/run.txt && echo "compared $(wc -l < $TMPOUT/sim.txt) counters" && comm -23 $TMPOUT/sim.txt $TMPOUT/run.txt
