$MEMWALL sweep gemm --vary tile=64x64x32 --hw h100-sxm --hw a100-sxm --csv "$TMPOUT/sweep_bad_hw.csv"; echo "status $?"; test -e "$TMPOUT/sweep_bad_hw.csv" && echo "csv written" || echo "no csv"
