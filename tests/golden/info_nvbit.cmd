$MEMWALL info sample.nvbit.gz --units 4
