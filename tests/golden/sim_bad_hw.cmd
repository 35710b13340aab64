$MEMWALL sim sample.nvbit.gz --units 4 --hw bad-hw.ini
