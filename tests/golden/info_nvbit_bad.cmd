zcat sample.nvbit.gz | sed '20s/ - CTA [0-9]*,/ - CTA 9,/' | $MEMWALL info - --units 4
