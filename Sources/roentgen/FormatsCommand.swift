import ArgumentParser
import XrayFormats

/// `roentgen formats [--markdown]`
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: "List the file formats Roentgen reads.")

    @Flag(help: "Print a Markdown table (as in the README).")
    var markdown = false

    func run() {
        print(markdown ? FormatTable.markdown() : FormatTable.text(), terminator: "")
    }
}
