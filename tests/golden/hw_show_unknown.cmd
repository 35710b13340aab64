$MEMWALL hw show h100
