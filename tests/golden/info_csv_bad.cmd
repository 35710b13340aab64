sed '7s/,r,/,q,/' sample.csv | $MEMWALL info - --format csv
