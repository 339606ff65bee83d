// CRoentgenKernels: the data lines of pattern files, printed by the C library in one call.
//
// Integration's `.xy`/`.xye` rows are printf's "%.6e" (pyFAI's numbers as text). Swift reaches
// vsnprintf only through a CVarArg list built per call, whose boxing and dynamic casts cost more
// than the printing (6 % of a 200-file series); this loop calls snprintf directly.
#include "CRoentgenKernels.h"
#include <stdio.h>

long roentgen_format_rows(const double *a, const double *b, const double *c, long n, char *out, long capacity) {
    long used = 0;
    for (long k = 0; k < n && used < capacity - 1; k++) {
        int written = c ? snprintf(out + used, (size_t)(capacity - used), "  %.6e  %.6e  %.6e\n", a[k], b[k], c[k])
                        : snprintf(out + used, (size_t)(capacity - used), "  %.6e  %.6e\n", a[k], b[k]);
        if (written < 0) break;
        used += written < capacity - used ? written : capacity - used - 1;
    }
    return used;
}
