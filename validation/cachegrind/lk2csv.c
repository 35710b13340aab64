/*
 * lk2csv.c - valgrind lackey --trace-mem=yes output (standard input) to a
 * memwall CSV trace (standard output) that makes memwall's cache hierarchy
 * simulate what cachegrind simulates (validation/cachegrind/README.md).
 *
 * Usage: lk2csv [-s STATS-FILE] [-d DATA-FILE] < lackey.log > trace.csv
 *
 * Notes:
 *  - Instruction fetches ("I  ADDR,SIZE") become ifetches on unit 1, data
 *    accesses (" L", " S", " M") reads on unit 0.  With a two-unit machine
 *    whose l1 has cachegrind's D1 (= I1) geometry, unit 0's l1 is D1, unit
 *    1's l1 is I1, and the shared l2 is cachegrind's unified LL, seeing the
 *    misses of both in program order.
 *  - Stores and modifies become reads because cachegrind keeps no dirty
 *    state: to it a write is a read (LRU update, allocate on a miss, no
 *    write-back ever).  memwall's write-back l1 would otherwise send
 *    write-backs to l2, which cachegrind's LL never sees.  A modify is one
 *    record, as it is one access to cachegrind.
 *  - Every other line (valgrind's "==PID==" messages, blank lines) is
 *    skipped; a line that is none of these stops the conversion (exit 1).
 *  - DATA-FILE (optional; may be a FIFO) receives the data lines (" L",
 *    " S", " M") of the lackey log unchanged, for memwall's own lackey
 *    reader (run.sh's data-only check).
 *  - STATS-FILE (optional) receives "name value" lines: records of each
 *    kind and the accesses that straddle a 64-byte line (cachegrind counts
 *    one miss for those, memwall one per line; see the README).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	static char line[4096];
	unsigned long long n[4] = {0, 0, 0, 0}, strad_i = 0, strad_d = 0;
	unsigned long long lineno = 0;
	const char kinds[] = "ILSM";
	const char *stats = NULL;
	FILE *data = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
			stats = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "-d") == 0 &&
			   !data) {
			data = fopen(argv[++i], "w");
			if (!data) {
				perror(argv[i]);
				return 1;
			}
		} else {
			fprintf(stderr, "usage: lk2csv [-s STATS-FILE] "
					"[-d DATA-FILE] < lackey.log\n");
			return 2;
		}
	}
	fputs("addr,size,op,unit\n", stdout);
	while (fgets(line, sizeof line, stdin)) {
		char *p = line, *end;
		unsigned long long addr, size;
		const char *k;

		lineno++;
		if (line[0] == '=' || line[0] == '-' || line[0] == '\n')
			continue;
		while (*p == ' ')
			p++;
		k = *p ? strchr(kinds, *p) : NULL;
		if (!k || p[1] != ' ') {
			fprintf(stderr,
				"lk2csv: line %llu: not a lackey line\n",
				lineno);
			return 1;
		}
		p += 2;
		while (*p == ' ')
			p++;
		addr = strtoull(p, &end, 16);
		if (end == p || *end != ',') {
			fprintf(stderr, "lk2csv: line %llu: bad address\n",
				lineno);
			return 1;
		}
		size = strtoull(end + 1, &end, 10);
		if (size == 0 || (*end != '\n' && *end != '\0')) {
			fprintf(stderr, "lk2csv: line %llu: bad size\n",
				lineno);
			return 1;
		}
		n[k - kinds]++;
		if (addr >> 6 != (addr + size - 1) >> 6) {
			if (*k == 'I')
				strad_i++;
			else
				strad_d++;
		}
		if (data && *k != 'I')
			fputs(line, data);
		printf("0x%llx,%llu,%s\n", addr, size,
		       *k == 'I' ? "i,1" : "r,0");
	}
	if (data && fclose(data) != 0) {
		fprintf(stderr, "lk2csv: write error on the data file\n");
		return 1;
	}
	if (ferror(stdin) || fflush(stdout) != 0) {
		fprintf(stderr, "lk2csv: read or write error\n");
		return 1;
	}
	if (stats) {
		FILE *f = fopen(stats, "w");

		if (!f) {
			perror(stats);
			return 1;
		}
		fprintf(f,
			"ifetch %llu\nload %llu\nstore %llu\nmodify %llu\n"
			"straddle_ifetch %llu\nstraddle_data %llu\n",
			n[0], n[1], n[2], n[3], strad_i, strad_d);
		if (fclose(f) != 0) {
			perror(stats);
			return 1;
		}
	}
	return 0;
}
