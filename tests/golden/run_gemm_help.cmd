$MEMWALL run gemm --help
