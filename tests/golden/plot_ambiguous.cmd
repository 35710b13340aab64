$MEMWALL plot sweep_small.csv --x tile -o "$TMPOUT/x.svg"
