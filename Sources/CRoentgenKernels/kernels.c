// CRoentgenKernels: AVX2/FMA loops for XAS's feffit. Row products and the path sum's χ̃.
//
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
#include <math.h>

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

// eˣ, sin x and cos x four at a time: the classic reduction (Cody & Waite, "Software Manual for the
// Elementary Functions", 1980; split constants from fdlibm) eˣ = 2ⁿ·eʳ, n = round(x/ln 2),
// |r| ≤ ln 2/2, and x = n·π/2 + r, |r| ≤ π/4, then the Taylor series of eʳ to r¹³ and of sin r,
// cos r to r¹⁷, r¹⁸ (the first term left out is below 5e-18 relative). Rounding to an integer by
// adding and subtracting 1.5·2⁵², whose low bits then hold n.
#define SHIFTER 6755399441055744.0

static inline KERNEL_TARGET __m256d exp4(__m256d x) {
    const __m256d shifter = _mm256_set1_pd(SHIFTER);
    const __m256d t = _mm256_fmadd_pd(x, _mm256_set1_pd(1.4426950408889634), shifter);
    const __m256d n = _mm256_sub_pd(t, shifter);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), x);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);
    static const double c[14] = {1.6059043836821614e-10, 2.08767569878680990e-09, 2.50521083854417188e-08,
        2.75573192239858907e-07, 2.75573192239858907e-06, 2.48015873015873016e-05, 1.98412698412698413e-04,
        1.38888888888888889e-03, 8.33333333333333333e-03, 4.16666666666666667e-02, 1.66666666666666667e-01,
        0.5, 1.0, 1.0};
    __m256d p = _mm256_set1_pd(c[0]);
    for (int k = 1; k < 14; k++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[k]));
    const __m256i ni = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_castpd_si256(shifter));
    const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(ni, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(p, _mm256_castsi256_pd(bits));
}

static inline KERNEL_TARGET void sincos4(__m256d x, __m256d *sinOut, __m256d *cosOut) {
    const __m256d shifter = _mm256_set1_pd(SHIFTER);
    const __m256d t = _mm256_fmadd_pd(x, _mm256_set1_pd(0.63661977236758134), shifter);
    const __m256d n = _mm256_sub_pd(t, shifter);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.57079632673412561417e+00), x);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.07710050630396597660e-11), r);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(2.02226624879595063154e-21), r);
    const __m256d z = _mm256_mul_pd(r, r);
    static const double sc[8] = {2.81145725434552076e-15, -7.64716373181981647e-13, 1.60590438368216146e-10,
        -2.50521083854417188e-08, 2.75573192239858907e-06, -1.98412698412698413e-04, 8.33333333333333333e-03,
        -1.66666666666666667e-01};
    static const double cc[9] = {-1.56192069685862265e-16, 4.77947733238738530e-14, -1.14707455977297247e-11,
        2.08767569878680990e-09, -2.75573192239858907e-07, 2.48015873015873016e-05, -1.38888888888888889e-03,
        4.16666666666666667e-02, -0.5};
    __m256d s = _mm256_set1_pd(sc[0]);
    for (int k = 1; k < 8; k++) s = _mm256_fmadd_pd(s, z, _mm256_set1_pd(sc[k]));
    s = _mm256_fmadd_pd(_mm256_mul_pd(r, z), s, r);
    __m256d c = _mm256_set1_pd(cc[0]);
    for (int k = 1; k < 9; k++) c = _mm256_fmadd_pd(c, z, _mm256_set1_pd(cc[k]));
    c = _mm256_fmadd_pd(z, c, _mm256_set1_pd(1.0));
    // Quadrant q = n mod 4: odd q swaps sine and cosine; sin is negative for q = 2, 3, cos for q = 1, 2.
    const __m256i q = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_castpd_si256(shifter));
    const __m256i one = _mm256_set1_epi64x(1), two = _mm256_set1_epi64x(2);
    const __m256d swap = _mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_and_si256(q, one), one));
    const __m256d sinX = _mm256_blendv_pd(s, c, swap), cosX = _mm256_blendv_pd(c, s, swap);
    const __m256d sinSign = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_and_si256(q, two), 62));
    const __m256d cosSign = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_and_si256(_mm256_add_epi64(q, one), two), 62));
    *sinOut = _mm256_xor_pd(sinX, sinSign);
    *cosOut = _mm256_xor_pd(cosX, cosSign);
}

// The exponent and χ̃ of four points from index i of the tables (see the header).
static inline KERNEL_TARGET void path_chi4(const double *q, const double *amp, const double *pha, const double *pRe,
                                           const double *pIm, const double *ppRe, const double *ppIm, long i,
                                           __m256d reff, __m256d c4, __m256d c3, __m256d s2, __m256d b0, __m256d scale,
                                           __m256d *a, __m256d *b, __m256d *m) {
    const __m256d two = _mm256_set1_pd(2.0);
    const __m256d pr = _mm256_loadu_pd(pRe + i), pi = _mm256_loadu_pd(pIm + i);
    const __m256d xr = _mm256_loadu_pd(ppRe + i), xi = _mm256_loadu_pd(ppIm + i);
    // −2pp(σ² − pp·c4)
    const __m256d aRe = _mm256_fnmadd_pd(xr, c4, s2), aIm = _mm256_sub_pd(_mm256_setzero_pd(), _mm256_mul_pd(xi, c4));
    const __m256d t1Re = _mm256_mul_pd(_mm256_set1_pd(-2.0), _mm256_fmsub_pd(xr, aRe, _mm256_mul_pd(xi, aIm)));
    const __m256d t1Im = _mm256_mul_pd(_mm256_set1_pd(-2.0), _mm256_fmadd_pd(xr, aIm, _mm256_mul_pd(xi, aRe)));
    // 2p·B, B = b0 − pp·c3
    const __m256d bRe = _mm256_fnmadd_pd(xr, c3, b0), bIm = _mm256_sub_pd(_mm256_setzero_pd(), _mm256_mul_pd(xi, c3));
    const __m256d pbRe = _mm256_mul_pd(two, _mm256_fmsub_pd(pr, bRe, _mm256_mul_pd(pi, bIm)));
    const __m256d pbIm = _mm256_mul_pd(two, _mm256_fmadd_pd(pr, bIm, _mm256_mul_pd(pi, bRe)));
    const __m256d qv = _mm256_loadu_pd(q + i);
    *a = _mm256_sub_pd(_mm256_fmadd_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), reff), pi, t1Re), pbIm);
    *b = _mm256_add_pd(_mm256_add_pd(_mm256_fmadd_pd(_mm256_mul_pd(two, qv), reff, t1Im), _mm256_loadu_pd(pha + i)), pbRe);
    *m = _mm256_div_pd(_mm256_mul_pd(scale, _mm256_loadu_pd(amp + i)), qv);
}

KERNEL_TARGET void roentgen_path_chi_avx2(long n, const double *q, const double *amp, const double *pha, const double *pRe,
                                          const double *pIm, const double *ppRe, const double *ppIm, double reff, double c4,
                                          double c3, double s2, double b0, double scale, double *re, double *im) {
    const __m256d vreff = _mm256_set1_pd(reff), vc4 = _mm256_set1_pd(c4), vc3 = _mm256_set1_pd(c3);
    const __m256d vs2 = _mm256_set1_pd(s2), vb0 = _mm256_set1_pd(b0), vscale = _mm256_set1_pd(scale);
    const __m256d expLimit = _mm256_set1_pd(708.0), trigLimit = _mm256_set1_pd(1e5);
    const __m256d absMask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d a, b, m;
        path_chi4(q, amp, pha, pRe, pIm, ppRe, ppIm, i, vreff, vc4, vc3, vs2, vb0, vscale, &a, &b, &m);
        // Every lane inside the polynomials' range (false for NaN): vector; else libm lane by lane.
        const __m256d inside = _mm256_and_pd(_mm256_cmp_pd(_mm256_and_pd(a, absMask), expLimit, _CMP_LT_OQ),
                                             _mm256_cmp_pd(_mm256_and_pd(b, absMask), trigLimit, _CMP_LT_OQ));
        if (_mm256_movemask_pd(inside) == 0xf) {
            __m256d s, c;
            sincos4(b, &s, &c);
            const __m256d mag = _mm256_mul_pd(exp4(a), m);
            _mm256_storeu_pd(re + i, _mm256_mul_pd(mag, c));
            _mm256_storeu_pd(im + i, _mm256_mul_pd(mag, s));
        } else {
            double av[4], bv[4], mv[4];
            _mm256_storeu_pd(av, a); _mm256_storeu_pd(bv, b); _mm256_storeu_pd(mv, m);
            for (int k = 0; k < 4; k++) {
                const double mag = exp(av[k]) * mv[k];
                re[i + k] = mag * cos(bv[k]);
                im[i + k] = mag * sin(bv[k]);
            }
        }
    }
    if (i < n) {
        // The last 1–3 points through the same code on padded copies (the last point repeated).
        double t[7][4];
        const double *src[7] = {q, amp, pha, pRe, pIm, ppRe, ppIm};
        for (int f = 0; f < 7; f++) for (long k = 0; k < 4; k++) t[f][k] = src[f][i + k < n ? i + k : n - 1];
        double r4[4], i4[4];
        roentgen_path_chi_avx2(4, t[0], t[1], t[2], t[3], t[4], t[5], t[6], reff, c4, c3, s2, b0, scale, r4, i4);
        for (long k = 0; i + k < n; k++) { re[i + k] = r4[k]; im[i + k] = i4[k]; }
    }
}

#else

int roentgen_avx2_fma_available(void) { return 0; }
void roentgen_row_products_avx2(const double *rows, long rowCount, long width, const double *x, long count, double *out) {
    (void)rows; (void)rowCount; (void)width; (void)x; (void)count; (void)out;
}
void roentgen_path_chi_avx2(long n, const double *q, const double *amp, const double *pha, const double *pRe,
                            const double *pIm, const double *ppRe, const double *ppIm, double reff, double c4,
                            double c3, double s2, double b0, double scale, double *re, double *im) {
    (void)n; (void)q; (void)amp; (void)pha; (void)pRe; (void)pIm; (void)ppRe; (void)ppIm;
    (void)reff; (void)c4; (void)c3; (void)s2; (void)b0; (void)scale; (void)re; (void)im;
}

#endif
