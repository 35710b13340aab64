zcat sample.lackey.gz | sed '31s/^ L /Loading /' | $MEMWALL info --skip-bad -
