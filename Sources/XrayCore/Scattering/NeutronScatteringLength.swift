import Foundation

/// Bound coherent neutron scattering lengths b_c of the elements in natural isotopic abundance,
/// in fm (10⁻¹⁵ m), indexed by atomic number.
///
/// Values of the ILL Neutron Data Booklet (A.-J. Dianoux, G. Lander (eds.), 2nd edition, ILL 2003;
/// V. F. Sears, Neutron News 3 (1992) 26), as PDFfit2 tabulates them for neutron PDF weights, so
/// neutron G(r) weights agree with PDFfit2's. `nil` where the booklet gives no value (Z ≥ 84 mostly).
public enum NeutronScatteringLength {
    /// b_c in fm of element `z` (1…111), or nil when not tabulated.
    public static func coherent(_ z: Int) -> Double? {
        guard z >= 1, z <= table.count else { return nil }
        return table[z - 1]
    }

    private static let table: [Double?] = [
        -3.7409, 3.263, -1.903, 7.791, 5.304, 6.648413, 9.36, 5.8054, 5.65412, 4.5666,
        3.632, 5.3754, 3.4495, 4.15071, 5.131, 2.8471, 9.57928, 1.9096, 3.672, 4.702,
        12.11, -3.37013, -0.44314, 3.6357, -3.75018, 9.452, 2.492, 10.31, 7.7184, 5.6805,
        7.2882, 8.1852, 6.581, 7.9709, 6.792, 7.812, 7.082, 7.022, 7.752, 7.163,
        7.0543, 6.7152, 6.83, 7.022, 5.904, 5.916, 5.9227, 4.835, 4.0652, 6.2252,
        5.573, 5.682, 5.282, 4.694, 5.422, 5.073, 8.244, 4.842, 4.585, 7.695,
        12.64, 0.005, 5.33, 9.52, 7.342, 16.93, 8.443, 7.792, 7.073, 12.413,
        7.213, 7.7714, 6.917, 4.75518, 9.22, 10.72, 10.63, 9.601, 7.907, 12.59545,
        8.7765, 9.4012, 8.5322, nil, nil, nil, nil, 10.0, nil, 10.31,
        9.13, 8.417, 10.55, 7.71, 8.32, 9.53, nil, nil, nil, nil,
        nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
        nil,
    ]
}
