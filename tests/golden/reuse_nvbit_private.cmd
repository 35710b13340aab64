$MEMWALL reuse sample.nvbit.gz --units 4 --view private --per unit --sample-memory 2KiB
