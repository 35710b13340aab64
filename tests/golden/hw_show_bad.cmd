$MEMWALL hw show bad-hw.ini
