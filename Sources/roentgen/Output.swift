import Foundation
import RoentgenOperations

/// Printing helpers shared by the verbs: JSON to stdout, messages to stderr.
enum Output {
    /// Pretty, key-sorted JSON of `value`, followed by a newline, on stdout.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// A line on stderr (notes and progress, so stdout stays clean for pipes).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Whether stdout is a terminal (progress bars and colour only then).
    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// `text` cut to `width` characters with an ellipsis.
    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String { text.padded(to: width) }
}
