/*
 * access.h - the access record, the unit of everything in memwall.
 *
 * One record is one contiguous touch of memory by one unit (SM or core).
 * It is 16 bytes so a batch of 4096 fits in L2 of the simulating machine
 * and a whole trace streams through in constant memory.
 */
#ifndef MW_ACCESS_H
#define MW_ACCESS_H

#include <stdint.h>

typedef uint64_t mw_addr; /* byte address */

enum mw_op {
	MW_OP_READ = 0,	  /* data load */
	MW_OP_WRITE = 1,  /* data store */
	MW_OP_IFETCH = 2, /* instruction fetch (CPU traces) */
	MW_OP_COUNT = 3
};

struct mw_access {
	uint64_t addr;	/* byte address */
	uint32_t size;	/* bytes touched, >= 1 */
	uint16_t unit;	/* issuing SM/core: selects the private L1 */
	uint8_t op;	/* enum mw_op */
	uint8_t tensor; /* index into the stream's tensor table; 0 = untagged */
};

_Static_assert(sizeof(struct mw_access) == 16, "struct mw_access is 16 bytes");

/* "read", "write", "ifetch"; "?" for anything else. */
const char *mw_op_name(unsigned op);

#endif
