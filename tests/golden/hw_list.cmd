$MEMWALL hw list
