// CRoentgenSHA: the SHA-256 block compression (FIPS 180-4 §6.2.2) on the x86 SHA extensions.
// XrayCore's SHA256 calls it when the CPU has them and falls back to its Swift compression
// otherwise (and always on non-x86 machines, where this module is a stub).
#ifndef CROENTGEN_SHA_H
#define CROENTGEN_SHA_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions and SSE4.1 (checked with cpuid), else 0.
/// Always 0 on non-x86_64 builds.
int roentgen_sha256_hw_available(void);

/// Compresses `count` consecutive 64-byte blocks at `blocks` into `state` (the eight working
/// words H0…H7 of FIPS 180-4, in that order). Call only when roentgen_sha256_hw_available()
/// returned 1; on other machines it leaves `state` unchanged.
void roentgen_sha256_hw_blocks(uint32_t state[8], const uint8_t *blocks, size_t count);

#endif
