$MEMWALL sim sample.nvbit.gz --units 4 --hw h100-sxm --set l2.ways=7
