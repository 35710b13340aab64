$MEMWALL sim sample.csv --hw mem-only.ini
