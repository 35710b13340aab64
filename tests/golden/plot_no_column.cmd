rm -f "$TMPOUT/x.svg"; $MEMWALL plot sweep_small.csv --x tiles -o "$TMPOUT/x.svg"; test -e "$TMPOUT/x.svg" && echo "x.svg written"
