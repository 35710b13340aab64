/*
 * hot.h - compiler hints for the few hot loops (trace decoding, cache
 * lookups).
 *
 * MW_HOT_CLONES compiles a function twice, for the x86-64 baseline and
 * for x86-64-v3 (AVX2, BMI2: shifts by a variable count and bit scans in
 * one instruction each), and lets the dynamic loader pick one at start
 * (GNU ifunc).  Elsewhere, and in sanitizer or fuzzing builds, it is
 * empty.
 */
#ifndef MW_HOT_H
#define MW_HOT_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&         \
	!defined(__SANITIZE_ADDRESS__) && !defined(MW_FUZZING)
#define MW_HOT_CLONES                                                          \
	__attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MW_HOT_CLONES
#endif

#define MW_LIKELY(x)   __builtin_expect(!!(x), 1)
#define MW_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif
