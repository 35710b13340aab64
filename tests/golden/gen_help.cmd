$MEMWALL gen --help
