$MEMWALL run gemm --m 512 --n 512 --k 256 --order row --set machine.units=4 --set l2.size=256KiB --reuse | sed 's/ in [0-9.]* s (.* accesses\/s)$/ in (time)/'
