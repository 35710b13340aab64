/*
 * mm.c - tiled matrix multiply C += A * B of n x n doubles, the traced
 * program of the cachegrind validation (validation/cachegrind/run.sh).
 *
 * Usage: mm N TILE   (1 <= N <= 512, 1 <= TILE <= N)
 *
 * Build: cc -O2 -static -nostdlib -ffreestanding -fno-builtin
 *           -fno-stack-protector -fno-tree-loop-distribute-patterns
 *           -no-pie -o mm mm.c          (x86-64 or AArch64 Linux)
 *
 * Notes:
 *  - Freestanding on purpose: no C library, no dynamic loader.  Their
 *    startup code (strlen, memcpy) makes a few unaligned 32-byte vector
 *    loads that straddle two cache lines, and cachegrind counts one miss for
 *    such an access where memwall counts one per line (README.md).  Every
 *    access of this program is an aligned scalar or vector of at most 16
 *    bytes, so none straddles a line and the counts can be compared exactly.
 *  - The matrices are static, 64-byte aligned arrays: their addresses come
 *    from the executable, the same in every run (lackey and cachegrind).
 *  - Loop order ii, kk, jj over tiles, then i, k, j inside a tile; the
 *    innermost loop streams a row of B and a row of C.
 *  - A histogram of C (hist[x]++, one read-modify-write instruction per
 *    element: lackey's " M") makes modifies, which cachegrind counts as one
 *    access and memwall's lackey reader as a read and then a write.
 *  - It writes a checksum (an integer: every product is one) so the work
 *    cannot be optimised away, and exits 2 on bad arguments.
 */
#define MM_NMAX 512

static double A[MM_NMAX * MM_NMAX] __attribute__((aligned(64)));
static double B[MM_NMAX * MM_NMAX] __attribute__((aligned(64)));
static double C[MM_NMAX * MM_NMAX] __attribute__((aligned(64)));
static long hist[64] __attribute__((aligned(64)));

static long sys3(long nr, long a, long b, long c)
{
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2)
			 : "memory");
	ret = x0;
#else
#error "mm.c: only x86-64 and AArch64 Linux"
#endif
	return ret;
}

#if defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_EXIT  60
#else
#define SYS_WRITE 64
#define SYS_EXIT  93
#endif

static __attribute__((noreturn)) void mm_exit(int status)
{
	for (;;)
		sys3(SYS_EXIT, status, 0, 0);
}

static void put(int fd, const char *s)
{
	long n = 0;

	while (s[n])
		n++;
	sys3(SYS_WRITE, fd, (long)s, n);
}

/* Decimal of v into buf (at least 24 bytes); returns buf. */
static char *fmt(long long v, char *buf)
{
	char tmp[24];
	int n = 0, i = 0;
	unsigned long long u = v < 0 ? -(unsigned long long)v
				     : (unsigned long long)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

static long parse(const char *s, long lo, long hi)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > hi)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

static int mm_main(long argc, char **argv)
{
	long n, t, ii, kk, jj, i, k, j;
	double sum = 0;
	char buf[24];

	if (argc != 3) {
		put(2, "usage: mm N TILE (1 <= N <= 512, 1 <= TILE <= N)\n");
		return 2;
	}
	n = parse(argv[1], 1, MM_NMAX);
	t = n > 0 ? parse(argv[2], 1, n) : -1;
	if (n < 0 || t < 0) {
		put(2, "mm: N must be 1..512 and TILE 1..N\n");
		return 2;
	}
	for (i = 0; i < n * n; i++) {
		A[i] = (double)(i % 7) - 3;
		B[i] = (double)(i % 5) - 2;
		C[i] = 0;
	}
	for (ii = 0; ii < n; ii += t)
		for (kk = 0; kk < n; kk += t)
			for (jj = 0; jj < n; jj += t) {
				long ie = ii + t < n ? ii + t : n;
				long ke = kk + t < n ? kk + t : n;
				long je = jj + t < n ? jj + t : n;

				for (i = ii; i < ie; i++)
					for (k = kk; k < ke; k++) {
						double a = A[i * n + k];

						for (j = jj; j < je; j++)
							C[i * n + j] +=
								a *
								B[k * n + j];
					}
			}
	for (i = 0; i < n * n; i++) {
		sum += C[i] * (double)(i % 3 + 1);
		hist[(unsigned long)(long)C[i] % 64]++; /* modifies ('M') */
	}
	for (i = 0; i < 64; i++)
		sum += (double)(hist[i] * i);
	put(1, "mm n=");
	put(1, fmt(n, buf));
	put(1, " tile=");
	put(1, fmt(t, buf));
	put(1, " checksum=");
	put(1, fmt((long long)sum, buf));
	put(1, "\n");
	return 0;
}

/* The entry point: argc and argv from the initial stack. */
void mm_start_c(long *sp);
void mm_start_c(long *sp)
{
	mm_exit(mm_main(sp[0], (char **)(sp + 1)));
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
	"\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n"
	"\tcall mm_start_c\n\thlt\n");
#else
__asm__(".text\n.global _start\n_start:\n"
	"\tmov x29, #0\n\tmov x0, sp\n\tbl mm_start_c\n\tbrk #0\n");
#endif
