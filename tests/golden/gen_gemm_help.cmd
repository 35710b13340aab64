$MEMWALL gen gemm --help
