/// A nominal geometry for the Lambda 516 × 1554 module of `images/lambda_testasapo1_1009_00002_m1_part00000.nxs`
/// (55 µm pixels, 0.2 m, the PONI inside the module, λ 1 Å). The module has no calibrated geometry (the
/// MANIFEST calls the file a reader test): tests that integrate the stack check the stack handling, not the physics.
public enum LambdaGeometry {
    public static let poni = """
    # Nominal geometry for the Lambda 516 × 1554 module (test only).
    poni_version: 2
    Detector: Detector
    Detector_config: {"pixel1": 5.5e-05, "pixel2": 5.5e-05, "max_shape": [516, 1554]}
    Distance: 0.2
    Poni1: 0.0142
    Poni2: 0.0427
    Rot1: 0.0
    Rot2: 0.0
    Rot3: 0.0
    Wavelength: 1e-10
    """
}
