#!/usr/bin/env python3
"""Writes the text-format samples: sample.din, sample.lackey.gz, sample.csv.

Constructed from each format's documented syntax (no tool was run), all
three describing one tiny kernel, y[16] = A[16x16] . x[16] in fp32,
row-major:

  sample.din        DineroIV extended din of a CPU running the loop: an
                    instruction fetch per load, loads of A and x, a store
                    of y per row; a copy-back and an invalidate command at
                    the end (counted and skipped by memwall); a few lines
                    in the classic numeric form.
  sample.lackey.gz  the same loop as valgrind lackey --trace-mem=yes
                    prints it, between valgrind's own '==PID==' lines; the
                    accumulator update of y is a modify (M).
  sample.csv        the same accesses as a CSV with unit and tensor
                    columns: rows split over 4 units, tensors A, x, y.

Usage: python3 gen_sample_text.py [DIR]   (default: this directory)
The outputs are byte-for-byte reproducible (gzip header without a time).
"""
import gzip
import os
import sys

N = 16
A = 0x7FFD5E8C0000
X = 0x7FFD5E8C1000
Y = 0x7FFD5E8C1100
CODE = 0x401130


def accesses():
    """(op, addr, size, unit, tensor) of the loop, in program order."""
    for i in range(N):
        for j in range(N):
            yield ("i", CODE + 0x10 * (j % 4), 4, i % 4, "")
            yield ("r", A + 4 * (i * N + j), 4, i % 4, "A")
            yield ("r", X + 4 * j, 4, i % 4, "x")
        yield ("w", Y + 4 * i, 4, i % 4, "y")


def din(out):
    lines = []
    for n, (op, addr, size, _, _) in enumerate(accesses()):
        if n < 6:  # the classic form: label, address, size 4
            lines.append("%d %x" % ("rwi".index(op), addr))
        else:
            lines.append("%s %x %x" % (op, addr, size))
    lines.append("c 0 0")
    lines.append("v %x 40" % Y)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def lackey(out):
    lines = [
        "==4242== Lackey, an example Valgrind tool",
        "==4242== Copyright (C) 2002-2022, and GNU GPL'd, by Nicholas Nethercote.",
        "==4242== Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info",
        "==4242== Command: ./matvec",
        "==4242== ",
    ]
    for op, addr, size, _, _ in accesses():
        if op == "i":
            lines.append("I  %08x,%d" % (addr, size))
        elif op == "r":
            lines.append(" L %08x,%d" % (addr, size))
        else:
            lines.append(" M %08x,%d" % (addr, size))
    lines += ["==4242== ", "==4242== Counted 1 call to main()"]
    data = ("\n".join(lines) + "\n").encode()
    with open(out, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(data)


def csv(out):
    lines = ["addr,size,op,unit,tensor"]
    for op, addr, size, unit, tensor in accesses():
        lines.append("0x%x,%d,%s,%d,%s" % (addr, size, op, unit, tensor))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__) or "."
    din(os.path.join(d, "sample.din"))
    lackey(os.path.join(d, "sample.lackey.gz"))
    csv(os.path.join(d, "sample.csv"))


if __name__ == "__main__":
    main()
