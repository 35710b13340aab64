$MEMWALL run gemm --m 256 --n 192 --k 128 --tile 64x64x32 --hw h100-sxm --set machine.units=4 --set l2.size=1MiB --csv - | grep -v "^run,seconds\|^run,accesses_per_s"
