import ArgumentParser
import Foundation
import RoentgenServer
import XrayCore

/// `roentgen serve`: the local web app and JSON API over everything the CLI does.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local web app (/) and JSON API (/api/, described at /api/openapi.json) over a workspace folder.",
        discussion: """
            Binds 127.0.0.1 by default. Any other --host needs a token on every API call (given with --token, \
            or generated and printed with the URL). Only files under --root are read. Stop with Ctrl-C.
            """)

    @Option(help: "The workspace: the folder whose files the app may read (default: the current folder).") var root: String?
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port = 8765
    @Option(help: "Token required on every API call (generated when --host is not loopback and none is given).") var token: String?
    @Option(help: "Largest request body, bytes.") var maxBody = 1 << 20
    @OptionGroup var sources: SourceOptions

    func run() async throws {
        do {
            var options = RoentgenHTTPServer.Options(root: URL(fileURLWithPath: root ?? FileManager.default.currentDirectoryPath),
                                                     sources: try sources.sourceSet())
            options.host = host; options.port = port; options.token = token; options.timeout = sources.timeout
            options.maxBodyBytes = maxBody
            if let token, token.count < 8 { throw RoentgenError.badParameter("--token must be at least 8 characters") }
            let server = try RoentgenHTTPServer(options)
            let rootPath = server.rootPath
            let token = server.token
            try await server.run { url in
                var line = "Roentgen serving \(rootPath) at \(url)"
                if let token { line += "#token=\(token)\ntoken: \(token)" }
                print(line + "\nAPI: \(url)api/ (OpenAPI: \(url)api/openapi.json). Ctrl-C stops.")
                fflush(stdout)
            }
            Output.note("roentgen serve: stopped")
        } catch {
            throw exitWithError(error)
        }
    }
}
