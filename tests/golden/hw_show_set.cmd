$MEMWALL hw show cpu-host --full --set l3.size=260MiB --set l3.ways=20 --set memory.channels=2
