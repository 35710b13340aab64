$MEMWALL sim sample.nvbit.gz
