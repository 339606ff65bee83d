/// Diffraction analysis (simulation from CIF, peaks, phase identification, PDF G(r)). See ../shared/docs/architecture.md.
