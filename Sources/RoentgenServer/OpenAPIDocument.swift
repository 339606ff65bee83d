import Foundation

/// The OpenAPI 3.1 document of the API, built from the route table so it cannot drift from the routes.
enum OpenAPIDocument {
    static var errorSchema: [String: Any] { [
        "type": "object", "required": ["error"],
        "properties": ["error": ["type": "object", "required": ["kind", "message", "file", "line"],
                                 "properties": ["kind": ["type": "string"], "message": ["type": "string"],
                                                "file": ["type": ["string", "null"]], "line": ["type": ["integer", "null"]]]]],
    ] }

    static let errorText: [Int: String] = [
        400: "malformed request: bad JSON, unknown parameter, wrong type, or a path leaving the workspace",
        401: "token missing or wrong (servers bound beyond loopback)",
        404: "no such route, file, record or job",
        413: "request body too large",
        422: "the request is well formed but the data or the analysis cannot satisfy it",
    ]

    static func build(_ routes: [APIRoute]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            var operation: [String: Any] = ["summary": route.summary,
                                            "operationId": route.method.lowercased() + route.path.replacingOccurrences(of: "/api", with: "")
                                                .split(whereSeparator: { !$0.isLetter }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()]
            var parameters: [[String: Any]] = route.query.map {
                ["name": $0.name, "in": "query", "required": $0.required, "description": $0.description, "schema": ["type": $0.type]]
            }
            for segment in route.path.split(separator: "/") where segment.hasPrefix("{") {
                parameters.append(["name": String(segment.dropFirst().dropLast()), "in": "path", "required": true, "schema": ["type": "string"]])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if let body = route.body {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body()]]]
            }
            var responses: [String: Any] = [
                String(route.success.status): ["description": route.success.description,
                                               "content": [route.success.contentType: ["schema": ["type": route.success.contentType == "application/json" ? "object" : "string"]]]],
            ]
            var errors = Set(route.errors)
            if route.body != nil { errors.insert(413); errors.insert(400) }
            errors.insert(401)
            for status in errors.sorted() {
                responses[String(status)] = ["description": errorText[status] ?? "error",
                                             "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
            }
            operation["responses"] = responses
            paths[route.path, default: [:]][route.method.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Roentgen API", "version": "0.1.0",
                     "description": "The JSON API of `roentgen serve`. Bodies are the CLI's --json documents. Paths are relative to the workspace root. "
                        + "Beyond loopback every call needs the token: `Authorization: Bearer TOKEN` (or `?token=`)."],
            "paths": paths,
            "components": ["schemas": ["Error": errorSchema],
                           "securitySchemes": ["token": ["type": "http", "scheme": "bearer"]]],
        ]
    }
}
