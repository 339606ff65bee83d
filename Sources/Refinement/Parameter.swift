/// One named parameter of a refinement: a value that is varied or held fixed (optionally within
/// bounds), or a value defined by an expression of other parameters (a constraint such as `b = a`
/// or `sigma2_2 = 1.5*sigma2_1`).
public struct Parameter: Sendable, Codable, Equatable {
    /// The name used in expressions and reports: letters, digits and `_`, not starting with a digit.
    public var name: String
    /// The current value (for a constrained parameter: the last evaluated value).
    public var value: Double
    /// Whether the refinement varies it (ignored when `expression` is set).
    public var vary: Bool
    /// Lower bound (−∞ when unbounded).
    public var lower: Double
    /// Upper bound (+∞ when unbounded).
    public var upper: Double
    /// When set, the parameter is constrained: its value is this expression of other parameters.
    public var expression: String?

    /// A free parameter, varied by default.
    public init(_ name: String, _ value: Double, vary: Bool = true,
                lower: Double = -.infinity, upper: Double = .infinity) {
        self.name = name
        self.value = value
        self.vary = vary
        self.lower = lower
        self.upper = upper
        self.expression = nil
    }

    /// A constrained parameter whose value is `expression` of other parameters.
    public init(_ name: String, expression: String) {
        self.name = name
        self.value = .nan
        self.vary = false
        self.lower = -.infinity
        self.upper = .infinity
        self.expression = expression
    }

    /// Whether the refinement moves this parameter directly (varied and not constrained).
    public var isVaried: Bool { vary && expression == nil }

    enum CodingKeys: String, CodingKey { case name, value, vary, lower, upper, expression }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        value = try c.decodeIfPresent(Double.self, forKey: .value) ?? .nan
        vary = try c.decodeIfPresent(Bool.self, forKey: .vary) ?? false
        lower = try c.decodeIfPresent(Double.self, forKey: .lower) ?? -.infinity
        upper = try c.decodeIfPresent(Double.self, forKey: .upper) ?? .infinity
        expression = try c.decodeIfPresent(String.self, forKey: .expression)
    }

    /// JSON has no infinities: unbounded sides and a NaN value are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if value.isFinite { try c.encode(value, forKey: .value) }
        try c.encode(vary, forKey: .vary)
        if lower.isFinite { try c.encode(lower, forKey: .lower) }
        if upper.isFinite { try c.encode(upper, forKey: .upper) }
        try c.encodeIfPresent(expression, forKey: .expression)
    }

    /// Whether `name` is a valid parameter name.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
