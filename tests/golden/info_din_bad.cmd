sed '40s/ 4$/ 0/' sample.din | $MEMWALL info -
