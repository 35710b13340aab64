$MEMWALL sim sample.din --hw cpu-host --set memory.tFAW=fast; $MEMWALL sim sample.din --hw mem-only.ini --set memory.bank_grops=4; $MEMWALL sim sample.nvbit.gz --units 4 --hw bad-mem.ini
