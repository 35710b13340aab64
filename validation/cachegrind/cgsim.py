#!/usr/bin/env python3
"""cgsim.py - a plain replica of valgrind 3.19 cachegrind's cache simulator
(cachegrind/cg_sim.c, cg_main.c) run on a lackey --trace-mem=yes log, to
explain the residual LL difference of run.sh (README.md).

Usage: cgsim.py LACKEY-LOG D1 LL [--per-line]
       (D1, LL as cachegrind's size,assoc,line; I1 = D1)

Semantics replicated: I1, D1 and a unified LL, each LRU, allocate on every
miss, no dirty state.  An access is cut into the lines it touches (at most
two); it is one miss of the first level when any of its lines missed, and
then the WHOLE access (both lines, also the one that hit) goes to LL, where
again it is one miss when any line missed.  A modify is one access.
--per-line instead sends only the lines that missed to LL and counts each
of their misses, as memwall's hierarchy does.

Prints: D1 misses, LL misses of data (DLmr+DLmw), LL misses of instruction
fetches (ILmr).  Slow (pure Python): for the small instance only.
"""
import sys


class Cache:
    def __init__(self, geom):
        size, assoc, line = (int(x) for x in geom.split(','))
        self.assoc = assoc
        self.shift = line.bit_length() - 1
        self.nsets = size // line // assoc
        self.sets = [[] for _ in range(self.nsets)]  # most recent first

    def ref_line(self, block):
        s = self.sets[block % self.nsets]
        if block in s:
            s.remove(block)
            s.insert(0, block)
            return False
        s.insert(0, block)
        if len(s) > self.assoc:
            s.pop()
        return True

    def ref(self, addr, size):
        """The blocks of the access that missed (cg_sim.c: both blocks are
        looked up, in address order, before the result is known)."""
        b1, b2 = addr >> self.shift, (addr + size - 1) >> self.shift
        if b1 == b2:
            return [b1] if self.ref_line(b1) else []
        m1, m2 = self.ref_line(b1), self.ref_line(b2)
        return [b for b, m in ((b1, m1), (b2, m2)) if m]


def main():
    args = [a for a in sys.argv[1:] if a != '--per-line']
    per_line = len(args) != len(sys.argv) - 1
    if len(args) != 3:
        sys.exit(__doc__.split('\n\n')[1])
    log, d1geom, llgeom = args
    i1, d1, ll = Cache(d1geom), Cache(d1geom), Cache(llgeom)
    d1m = dllm = illm = 0
    with open(log) as f:
        for line in f:
            if line.startswith('I'):
                c = i1
            elif line[:2] in (' L', ' S', ' M'):
                c = d1
            else:
                continue
            a, sz = line[3:].split(',')
            addr, size = int(a, 16), int(sz)
            missed = c.ref(addr, size)
            if not missed:
                continue
            if c is d1:
                d1m += 1
            if per_line:
                n = sum(ll.ref_line(b) for b in missed)
            else:
                n = 1 if ll.ref(addr, size) else 0
            if c is d1:
                dllm += n
            else:
                illm += n
    print('D1 misses %d  LLd misses %d  LLi misses %d  (%s)' %
          (d1m, dllm, illm, 'LL per missed line' if per_line
           else 'cachegrind: whole access to LL'))


if __name__ == '__main__':
    main()
