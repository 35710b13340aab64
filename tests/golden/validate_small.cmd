$MEMWALL validate measured/validate-small.csv --set machine.units=4 --set l2.size=256KiB
