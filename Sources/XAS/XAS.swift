/// X-ray absorption analysis (E0, normalisation, AUTOBK, χ(k), Fourier transforms, LCF). See ../shared/docs/architecture.md.
