$MEMWALL sim sample.nvbit.gz --units 4 --regions sample.nvbit.regions.csv --hw h100-sxm
