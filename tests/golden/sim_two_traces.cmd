$MEMWALL sim sample.nvbit.gz sample.nvbit.gz --units 4 --hw cpu-host --fold-units --flush
