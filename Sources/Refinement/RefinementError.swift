/// An error of the refinement engine: a bad expression, an unknown or duplicate parameter name, a
/// circular constraint, a model that cannot be evaluated at the start, or a singular normal matrix.
///
/// It names the parameter (and, for expressions, the 1-based column in the expression text) so the
/// layer that read the recipe can add the file and line and rethrow it as a `RoentgenError`.
public struct RefinementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter concerned (whose expression failed, or which is unknown / duplicated).
    public var parameter: String?
    /// 1-based column in the parameter's expression, for syntax and name errors.
    public var column: Int?
    /// What went wrong and what was expected.
    public var message: String
    /// Parameters implicated in a singular or ill-conditioned normal matrix, if that is the error.
    public var correlatedParameters: [String]

    public init(parameter: String? = nil, column: Int? = nil, _ message: String, correlatedParameters: [String] = []) {
        self.parameter = parameter
        self.column = column
        self.message = message
        self.correlatedParameters = correlatedParameters
    }

    public var description: String {
        var location = ""
        if let parameter { location = "parameter '\(parameter)'" }
        if let column { location += location.isEmpty ? "column \(column)" : ", column \(column)" }
        return location.isEmpty ? message : "\(location): \(message)"
    }
}
