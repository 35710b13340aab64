$MEMWALL run --help
