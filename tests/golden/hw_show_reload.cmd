cd "$TMPOUT" && $MEMWALL hw show mi300x --set l2.slices=4 > a.ini && $MEMWALL hw show a.ini > b.ini && tail -n +2 a.ini > a2 && tail -n +2 b.ini | cmp - a2 && echo "reloaded: the same config"
