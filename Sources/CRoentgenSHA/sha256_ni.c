// SHA-256 compression with the Intel SHA extensions (SHA256RNDS2, SHA256MSG1, SHA256MSG2).
// Written from FIPS 180-4 §6.2.2 and the instruction definitions in the Intel SDM.
//
// The instructions keep the eight working variables in two registers, ordered so that the
// highest lane comes first: ABEF = {A, B, E, F} and CDGH = {C, D, G, H} (lane 3 … lane 0).
// SHA256RNDS2 runs two rounds with W[t] + K[t] taken from the low two lanes of its third
// operand; after two rounds the old ABEF is exactly the new CDGH, so the two registers
// simply swap roles. SHA256MSG1 and SHA256MSG2 compute the message schedule
// W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16] four words at a time.
#include "CRoentgenSHA.h"

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>

int roentgen_sha256_hw_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int sse41 = (ecx >> 19) & 1;
    const int ssse3 = (ecx >> 9) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const int sha = (ebx >> 29) & 1;
    return sse41 && ssse3 && sha;
}

// The round constants K0…K63 (FIPS 180-4 §4.2.2).
static const uint32_t K256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// Four rounds t … t+3: W+K into the low lanes for two rounds, then the high lanes for two more.
// `abef` and `cdgh` are updated in place.
#define FOUR_ROUNDS(abef, cdgh, w, t)                                              \
    do {                                                                           \
        __m128i wk = _mm_add_epi32((w), _mm_load_si128((const __m128i *)&K256[t])); \
        (cdgh) = _mm_sha256rnds2_epu32((cdgh), (abef), wk);                        \
        wk = _mm_shuffle_epi32(wk, 0x0E);                                          \
        (abef) = _mm_sha256rnds2_epu32((abef), (cdgh), wk);                        \
    } while (0)

// The next four schedule words from the previous sixteen (w0 oldest … w3 newest):
// SHA256MSG1 gives W[t-16] + σ0(W[t-15]), the aligned W[t-7] … W[t-4] are added,
// SHA256MSG2 adds σ1 of W[t-2] and W[t-1] (including the words it is producing).
#define NEXT_WORDS(w0, w1, w2, w3) \
    _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((w0), (w1)), _mm_alignr_epi8((w3), (w2), 4)), (w3))

SHA_TARGET
void roentgen_sha256_hw_blocks(uint32_t state[8], const uint8_t *blocks, size_t count) {
    // Byte order: message words are big-endian; this shuffle reverses each 32-bit lane.
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);

    // state = {A, B, C, D}, {E, F, G, H} in lanes 0…3 → ABEF and CDGH as the rounds want them.
    __m128i abcd = _mm_loadu_si128((const __m128i *)&state[0]);   // lanes: A B C D
    __m128i efgh = _mm_loadu_si128((const __m128i *)&state[4]);   // lanes: E F G H
    abcd = _mm_shuffle_epi32(abcd, 0xB1);                          // lanes: B A D C
    efgh = _mm_shuffle_epi32(efgh, 0x1B);                          // lanes: H G F E
    __m128i abef = _mm_alignr_epi8(abcd, efgh, 8);                 // lanes: F E B A
    __m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);              // lanes: H G D C

    for (size_t n = 0; n < count; n++, blocks += 64) {
        const __m128i saved_abef = abef, saved_cdgh = cdgh;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 0)), bswap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16)), bswap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 32)), bswap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 48)), bswap);

        FOUR_ROUNDS(abef, cdgh, w0, 0);
        FOUR_ROUNDS(abef, cdgh, w1, 4);
        FOUR_ROUNDS(abef, cdgh, w2, 8);
        FOUR_ROUNDS(abef, cdgh, w3, 12);
        // Rounds 16…63: each group of four words replaces the oldest of the four held.
        for (int t = 16; t < 64; t += 16) {
            w0 = NEXT_WORDS(w0, w1, w2, w3); FOUR_ROUNDS(abef, cdgh, w0, t);
            w1 = NEXT_WORDS(w1, w2, w3, w0); FOUR_ROUNDS(abef, cdgh, w1, t + 4);
            w2 = NEXT_WORDS(w2, w3, w0, w1); FOUR_ROUNDS(abef, cdgh, w2, t + 8);
            w3 = NEXT_WORDS(w3, w0, w1, w2); FOUR_ROUNDS(abef, cdgh, w3, t + 12);
        }
        // H(i) = H(i-1) + the working variables.
        abef = _mm_add_epi32(abef, saved_abef);
        cdgh = _mm_add_epi32(cdgh, saved_cdgh);
    }

    // Back to {A, B, C, D}, {E, F, G, H}.
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);                  // lanes: A B E F
    __m128i ghcd = _mm_shuffle_epi32(cdgh, 0xB1);                  // lanes: G H C D
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, ghcd, 0xF0));   // A B C D
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(ghcd, feba, 8));      // E F G H
}

#else

int roentgen_sha256_hw_available(void) { return 0; }

void roentgen_sha256_hw_blocks(uint32_t state[8], const uint8_t *blocks, size_t count) {
    (void)state; (void)blocks; (void)count;
}

#endif
