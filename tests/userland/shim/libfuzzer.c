// SPDX-License-Identifier: GPL-2.0
/* libFuzzer's entry points, named as libFuzzer wants: fuzz_ops.c's two. */
#include <stddef.h>
#include <stdint.h>

int fuzz_init(void);
int fuzz_one(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return fuzz_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(data, size);
}
