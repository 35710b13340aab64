d="$TMPOUT/gen_bad"; mkdir -p "$d"; $MEMWALL gen gemm --k 128 --split-k 3 -o "$d/x.mwt"; $MEMWALL gen gemm --tile 12x3 -o "$d/x.mwt"; $MEMWALL gen conv -o x; $MEMWALL gen gemm; ls "$d" | grep -c mwt
