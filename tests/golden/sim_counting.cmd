$MEMWALL sim sample.din --hw cpu-host --flush --set memory.timing=off
