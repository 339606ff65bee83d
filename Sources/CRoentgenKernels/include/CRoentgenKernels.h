// CRoentgenKernels: numeric inner loops on AVX2 with FMA, chosen at run time, and (format.c) the C
// library's printf for the rows of pattern files. Callers of the AVX2 loops keep their own portable Swift
// loop for machines without AVX2/FMA (and for non-x86 builds, where those are stubs).
#ifndef CROENTGEN_KERNELS_H
#define CROENTGEN_KERNELS_H

/// 1 when this CPU (and the OS) runs AVX2 and FMA instructions, else 0; always 0 on non-x86_64 builds.
int roentgen_avx2_fma_available(void);

/// out[v·rowCount + r] = Σₘ rows[r·width + m]·x[v·width + m] for r < rowCount, v < count: the
/// products of a row-major matrix with `count` contiguous vectors, each `width` long (the partial
/// DFT of XAS's FitSpaceTransform). Call only when roentgen_avx2_fma_available() returned 1 (on
/// other machines it does nothing).
void roentgen_row_products_avx2(const double *rows, long rowCount, long width, const double *x, long count, double *out);

/// The complex χ̃ of one FEFF path on n grid points (XAS's FeffPathModel.complexChi without its
/// first-point extrapolation): with the exponent
///   a = −2·reff·Im p + Re[−2p²(σ² − p²C4/3)] − Im[2pB],  b = Im[−2p²(σ² − p²C4/3)] + 2q·reff + Φ + Re[2pB],
///   B = b0 − p²·c3 (b0 = ΔR − 2σ²/reff, c3 = 2C3/3, c4 = C4/3),
/// re[i] + i·im[i] = scale·amp[i]/q[i]·eᵃ·(cos b + i sin b). eᵃ, cos b and sin b by Cody–Waite
/// reduction and Taylor polynomials (to a few units in the last place; libm for |a| ≥ 708, |b| ≥ 1e5).
/// Call only when roentgen_avx2_fma_available() returned 1.
void roentgen_path_chi_avx2(long n, const double *q, const double *amp, const double *pha, const double *pRe,
                            const double *pIm, const double *ppRe, const double *ppIm, double reff, double c4,
                            double c3, double s2, double b0, double scale, double *re, double *im);

/// The data lines of a pattern file: "  %.6e  %.6e[  %.6e]\n" for each k < n of a, b (and c unless NULL),
/// printed into `out` (at most `capacity` bytes, a terminating NUL included). Returns the bytes written
/// before the NUL (the lines that fitted). Portable C: every build.
long roentgen_format_rows(const double *a, const double *b, const double *c, long n, char *out, long capacity);

#endif
