$MEMWALL hw show h100-sxm
