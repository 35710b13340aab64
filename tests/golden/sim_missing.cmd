$MEMWALL sim missing.mwt --hw h100-sxm
