// CRoentgenKernels: numeric inner loops on AVX2 with FMA, chosen at run time. Callers keep their own
// portable Swift loop for machines without AVX2/FMA (and for non-x86 builds, where this module is a stub).
#ifndef CROENTGEN_KERNELS_H
#define CROENTGEN_KERNELS_H

/// 1 when this CPU (and the OS) runs AVX2 and FMA instructions, else 0; always 0 on non-x86_64 builds.
int roentgen_avx2_fma_available(void);

/// out[v·rowCount + r] = Σₘ rows[r·width + m]·x[v·width + m] for r < rowCount, v < count: the
/// products of a row-major matrix with `count` contiguous vectors, each `width` long (the partial
/// DFT of XAS's FitSpaceTransform). Call only when roentgen_avx2_fma_available() returned 1 (on
/// other machines it does nothing).
void roentgen_row_products_avx2(const double *rows, long rowCount, long width, const double *x, long count, double *out);

#endif
