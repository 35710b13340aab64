$MEMWALL gen gemm --k 128 --split-k 3 -o "$TMPOUT/x.mwt"; $MEMWALL gen gemm --tile 12x3 -o "$TMPOUT/x.mwt"; $MEMWALL gen conv -o x; $MEMWALL gen gemm; ls "$TMPOUT" | grep -c mwt
