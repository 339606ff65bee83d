// Row products on AVX2 with fused multiply-add (four doubles per instruction), written for the
// folded partial DFT of XAS's FitSpaceTransform: a cosine or sine matrix (R points × folded k
// terms) times the folded inputs of the residual and of each Jacobian column.
//
// Several vectors: two matrix rows × four vectors per pass, eight accumulators, so each row and
// each vector chunk is loaded once for four or two multiply-adds. One vector (a residual): four
// rows per pass. The sums are split over four lanes and added at the end (a different order from
// the Swift loop: the results agree to rounding, tested to 1e-12).
#include "CRoentgenKernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

int roentgen_avx2_fma_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define KERNEL_TARGET __attribute__((target("avx2,fma")))

static inline KERNEL_TARGET double lane_sum(__m256d a) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

// Σₘ a[m]·x[m] over m < width.
static inline KERNEL_TARGET double dot(const double *a, const double *x, long width) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    long m = 0;
    for (; m + 8 <= width; m += 8) {
        s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + m), _mm256_loadu_pd(x + m), s0);
        s1 = _mm256_fmadd_pd(_mm256_loadu_pd(a + m + 4), _mm256_loadu_pd(x + m + 4), s1);
    }
    for (; m + 4 <= width; m += 4) s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + m), _mm256_loadu_pd(x + m), s0);
    double s = lane_sum(_mm256_add_pd(s0, s1));
    for (; m < width; m++) s += a[m] * x[m];
    return s;
}

KERNEL_TARGET void roentgen_row_products_avx2(const double *rows, long rowCount, long width, const double *x, long count, double *out) {
    const long w4 = width & ~3L;
    long v = 0;
    for (; v + 4 <= count; v += 4) {
        const double *x0 = x + v * width, *x1 = x0 + width, *x2 = x1 + width, *x3 = x2 + width;
        long r = 0;
        for (; r + 2 <= rowCount; r += 2) {
            const double *a = rows + r * width, *b = a + width;
            __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (long m = 0; m < w4; m += 4) {
                const __m256d ra = _mm256_loadu_pd(a + m), rb = _mm256_loadu_pd(b + m);
                __m256d y = _mm256_loadu_pd(x0 + m);
                a0 = _mm256_fmadd_pd(ra, y, a0); b0 = _mm256_fmadd_pd(rb, y, b0);
                y = _mm256_loadu_pd(x1 + m);
                a1 = _mm256_fmadd_pd(ra, y, a1); b1 = _mm256_fmadd_pd(rb, y, b1);
                y = _mm256_loadu_pd(x2 + m);
                a2 = _mm256_fmadd_pd(ra, y, a2); b2 = _mm256_fmadd_pd(rb, y, b2);
                y = _mm256_loadu_pd(x3 + m);
                a3 = _mm256_fmadd_pd(ra, y, a3); b3 = _mm256_fmadd_pd(rb, y, b3);
            }
            double sa[4] = {lane_sum(a0), lane_sum(a1), lane_sum(a2), lane_sum(a3)};
            double sb[4] = {lane_sum(b0), lane_sum(b1), lane_sum(b2), lane_sum(b3)};
            for (long m = w4; m < width; m++) {
                sa[0] += a[m] * x0[m]; sa[1] += a[m] * x1[m]; sa[2] += a[m] * x2[m]; sa[3] += a[m] * x3[m];
                sb[0] += b[m] * x0[m]; sb[1] += b[m] * x1[m]; sb[2] += b[m] * x2[m]; sb[3] += b[m] * x3[m];
            }
            for (int k = 0; k < 4; k++) {
                out[(v + k) * rowCount + r] = sa[k];
                out[(v + k) * rowCount + r + 1] = sb[k];
            }
        }
        for (; r < rowCount; r++) {
            const double *a = rows + r * width;
            out[v * rowCount + r] = dot(a, x0, width);
            out[(v + 1) * rowCount + r] = dot(a, x1, width);
            out[(v + 2) * rowCount + r] = dot(a, x2, width);
            out[(v + 3) * rowCount + r] = dot(a, x3, width);
        }
    }
    for (; v < count; v++) {
        const double *xv = x + v * width;
        long r = 0;
        for (; r + 4 <= rowCount; r += 4) {
            const double *a = rows + r * width;
            __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
            for (long m = 0; m < w4; m += 4) {
                const __m256d y = _mm256_loadu_pd(xv + m);
                s0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + m), y, s0);
                s1 = _mm256_fmadd_pd(_mm256_loadu_pd(a + width + m), y, s1);
                s2 = _mm256_fmadd_pd(_mm256_loadu_pd(a + 2 * width + m), y, s2);
                s3 = _mm256_fmadd_pd(_mm256_loadu_pd(a + 3 * width + m), y, s3);
            }
            double s[4] = {lane_sum(s0), lane_sum(s1), lane_sum(s2), lane_sum(s3)};
            for (long m = w4; m < width; m++) {
                s[0] += a[m] * xv[m]; s[1] += a[width + m] * xv[m];
                s[2] += a[2 * width + m] * xv[m]; s[3] += a[3 * width + m] * xv[m];
            }
            for (int k = 0; k < 4; k++) out[v * rowCount + r + k] = s[k];
        }
        for (; r < rowCount; r++) out[v * rowCount + r] = dot(rows + r * width, xv, width);
    }
}

#else

int roentgen_avx2_fma_available(void) { return 0; }
void roentgen_row_products_avx2(const double *rows, long rowCount, long width, const double *x, long count, double *out) {
    (void)rows; (void)rowCount; (void)width; (void)x; (void)count; (void)out;
}

#endif
