import Foundation
import XrayCore
import Yams

/// One problem found in a catalog record.
public struct LintIssue: Sendable, Hashable, CustomStringConvertible {
    /// Path of the record file.
    public var file: String
    /// 1-based line of the offending field, where known.
    public var line: Int?
    /// The field concerned (`license.redistribution`), or empty for the whole file.
    public var field: String
    public var message: String

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return field.isEmpty ? "\(location): \(message)" : "\(location): \(field): \(message)"
    }
}

/// Validates catalog records: required fields, types, URL syntax, unique ids, known PaNET
/// terms, a licence with a redistribution statement, and a persistent-identifier policy (the
/// seed list's rule for additions: "persistent identifiers and redistribution rights").
public enum CatalogLint {
    /// Every issue in `files`; empty when the catalog is valid.
    public static func lint(_ files: CatalogFiles, vocabulary: PaNET = .shared) -> [LintIssue] {
        var issues: [LintIssue] = []
        var records: [(path: String, record: SourceRecord, node: Node)] = []
        var idFiles: [String: String] = [:]
        var knownIDs: Set<String> = []
        for file in files.files {
            let path = files.path(of: file.name)
            let node: Node
            do {
                guard let composed = try Yams.compose(yaml: file.text) else {
                    issues.append(LintIssue(file: path, line: nil, field: "", message: "empty file, expected a record"))
                    continue
                }
                node = composed
            } catch {
                issues.append(LintIssue(file: path, line: yamlErrorLine(error), field: "", message: "not valid YAML: \(error)"))
                continue
            }
            // Register the id even if other fields fail, so relations to it are not reported too.
            if let id = node["id"]?.string, idFiles[id] == nil { knownIDs.insert(id) }
            let fieldIssues = checkFields(node, path: path, vocabulary: vocabulary)
            issues += fieldIssues
            guard fieldIssues.isEmpty else { continue }
            do {
                let record = try CatalogLoader.decode(file.text, path: path)
                if let other = idFiles[record.id] {
                    issues.append(LintIssue(file: path, line: node["id"]?.mark?.line, field: "id",
                                            message: "duplicate id '\(record.id)' (also in \(other))"))
                }
                idFiles[record.id] = path
                let stem = (file.name as NSString).deletingPathExtension
                if stem != record.id {
                    issues.append(LintIssue(file: path, line: node["id"]?.mark?.line, field: "id",
                                            message: "id '\(record.id)' must match the file name '\(stem)'"))
                }
                records.append((path, record, node))
            } catch let error as RoentgenError {
                issues.append(LintIssue(file: path, line: nil, field: "", message: error.message))
            } catch {
                issues.append(LintIssue(file: path, line: nil, field: "", message: "\(error)"))
            }
        }
        // Relations and facility references must name records that exist.
        for (path, record, node) in records {
            for (index, relation) in (record.relations ?? []).enumerated() where !knownIDs.contains(relation.target) {
                let line = node["relations"]?.sequence?[index].mark?.line
                issues.append(LintIssue(file: path, line: line, field: "relations[\(index)].target",
                                        message: "unknown record id '\(relation.target)'"))
            }
            if let facility = record.facility, !knownIDs.contains(facility) {
                issues.append(LintIssue(file: path, line: node["facility"]?.mark?.line, field: "facility",
                                        message: "unknown record id '\(facility)'"))
            }
        }
        return issues
    }

    // MARK: - Field checks on the YAML tree (with line numbers)

    static func checkFields(_ node: Node, path: String, vocabulary: PaNET) -> [LintIssue] {
        var issues: [LintIssue] = []
        func issue(_ field: String, _ at: Node?, _ message: String) {
            issues.append(LintIssue(file: path, line: at?.mark?.line ?? node.mark?.line, field: field, message: message))
        }
        guard let mapping = node.mapping else {
            issue("", node, "expected a mapping of fields (id: …, name: …)")
            return issues
        }
        for (key, _) in mapping {
            guard let name = key.string else { continue }
            if !SourceRecord.allowedFields.contains(name) {
                issue(name, key, "unknown field (allowed: \(SourceRecord.allowedFields.sorted().joined(separator: ", ")))")
            }
        }
        for field in SourceRecord.requiredFields where mapping[field] == nil {
            issue(field, node, "required field is missing")
        }
        func nonEmptyString(_ field: String, in parent: Node?, label: String? = nil) -> String? {
            guard let value = parent?[field] else { return nil }
            guard let text = value.scalar?.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                issue(label ?? field, value, "expected non-empty text")
                return nil
            }
            return text
        }
        if let id = nonEmptyString("id", in: node),
           id.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) == nil {
            issue("id", node["id"], "'\(id)' must be lower-case words joined by '-'")
        }
        _ = nonEmptyString("name", in: node)
        _ = nonEmptyString("description", in: node)
        // Sources of reference spectra or structures say how to make a library of them.
        let holdsReferences = node["kind"]?.scalar?.string == SourceRecord.Kind.referenceLibrary.rawValue
            || node["section"]?.scalar?.string == SourceRecord.Section.combinedXasXrd.rawValue
        if let recipe = nonEmptyString("library_recipe", in: node) {
            if !recipe.contains("roentgen ") { issue("library_recipe", node["library_recipe"], "expected the roentgen commands that build the library") }
        } else if holdsReferences && mapping["library_recipe"] == nil {
            issue("library_recipe", node, "a source of reference spectra or structures says how to build a library from it (roentgen xas library / xrd library)")
        }
        if let kind = nonEmptyString("kind", in: node), SourceRecord.Kind(rawValue: kind) == nil {
            issue("kind", node["kind"], "'\(kind)' is not one of \(SourceRecord.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let section = nonEmptyString("section", in: node), SourceRecord.Section(rawValue: section) == nil {
            issue("section", node["section"], "'\(section)' is not one of \(SourceRecord.Section.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let homepage = nonEmptyString("homepage", in: node), !isWebURL(homepage) {
            issue("homepage", node["homepage"], "'\(homepage)' is not an http(s) URL")
        }
        if let date = nonEmptyString("last_verified", in: node),
           date.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil {
            issue("last_verified", node["last_verified"], "'\(date)' is not a date YYYY-MM-DD")
        }
        // Techniques: a list of known PaNET terms; empty only for facilities.
        if let techniques = node["techniques"] {
            if let list = techniques.sequence {
                if list.isEmpty, node["kind"]?.string != SourceRecord.Kind.facility.rawValue {
                    issue("techniques", techniques, "expected at least one PaNET technique")
                }
                for (index, item) in list.enumerated() {
                    guard let name = item.string, vocabulary.term(named: name) != nil else {
                        issue("techniques[\(index)]", item, "'\(item.string ?? "?")' is not a PaNET term (label, alternative label or id)")
                        continue
                    }
                }
            } else {
                issue("techniques", techniques, "expected a list of PaNET terms")
            }
        }
        for listField in ["access", "formats", "elements", "edges"] {
            if let value = node[listField], value.sequence == nil {
                issue(listField, value, "expected a list")
            }
        }
        for (index, item) in (node["access"]?.sequence ?? []).enumerated() {
            if let value = item.string, !SourceRecord.accessValues.contains(value) {
                issue("access[\(index)]", item, "'\(value)' is not one of \(SourceRecord.accessValues.sorted().joined(separator: ", "))")
            }
        }
        for (index, item) in (node["elements"]?.sequence ?? []).enumerated() {
            if let symbol = item.string, Element.named(symbol)?.symbol != symbol {
                issue("elements[\(index)]", item, "'\(symbol)' is not an element symbol")
            }
        }
        // API: kind, and a valid base URL when present.
        if let api = node["api"] {
            if api.mapping == nil {
                issue("api", api, "expected a mapping with at least 'kind'")
            } else {
                _ = nonEmptyString("kind", in: api, label: "api.kind")
                if api["kind"] == nil { issue("api.kind", api, "required field is missing (use 'none' for no API)") }
                for urlField in ["base_url", "docs"] {
                    if let url = api[urlField]?.string, !isWebURL(url) {
                        issue("api.\(urlField)", api[urlField], "'\(url)' is not an http(s) URL")
                    }
                }
                if api["kind"]?.string != "none", api["kind"] != nil, api["base_url"] == nil {
                    issue("api.base_url", api, "an API of kind '\(api["kind"]?.string ?? "")' needs a base_url")
                }
            }
        }
        // Persistent identifiers: a stated policy; datasets and collections need a DOI or DOI prefix.
        if let identifiers = node["identifiers"] {
            _ = nonEmptyString("policy", in: identifiers, label: "identifiers.policy")
            if identifiers["policy"] == nil {
                issue("identifiers.policy", identifiers, "state the persistent-identifier policy (DOI per dataset, none …)")
            }
            for listName in ["dois", "doi_prefixes"] {
                for (index, item) in (identifiers[listName]?.sequence ?? []).enumerated() {
                    if let doi = item.string, doi.range(of: #"^10\.\d{4,9}(/\S*)?$"#, options: .regularExpression) == nil {
                        issue("identifiers.\(listName)[\(index)]", item, "'\(doi)' is not a DOI or DOI prefix (10.NNNN…)")
                    }
                }
            }
            let kind = node["kind"]?.string
            if kind == SourceRecord.Kind.dataset.rawValue || kind == SourceRecord.Kind.collection.rawValue {
                let count = (identifiers["dois"]?.sequence?.count ?? 0) + (identifiers["doi_prefixes"]?.sequence?.count ?? 0)
                if count == 0 {
                    issue("identifiers", identifiers, "a \(kind ?? "") needs a DOI or DOI prefix (persistent identifiers)")
                }
            }
        }
        // Licence with an explicit redistribution statement.
        if let license = node["license"] {
            _ = nonEmptyString("name", in: license, label: "license.name")
            if license["name"] == nil { issue("license.name", license, "required field is missing") }
            if let value = license["redistribution"] {
                if let text = value.string, !SourceRecord.License.redistributionValues.contains(text) {
                    issue("license.redistribution", value, "'\(text)' is not one of \(SourceRecord.License.redistributionValues.joined(separator: ", "))")
                }
            } else {
                issue("license.redistribution", license, "say whether redistribution is allowed (yes, no, per-dataset, unknown)")
            }
        }
        for (index, relation) in (node["relations"]?.sequence ?? []).enumerated() {
            if relation["type"]?.string == nil || relation["target"]?.string == nil {
                issue("relations[\(index)]", relation, "expected {type: …, target: record-id}")
            }
        }
        return issues
    }

    static func isWebURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, host.contains(".") else { return false }
        return !text.contains(" ")
    }

    static func yamlErrorLine(_ error: Error) -> Int? {
        if case let YamlError.scanner(_, _, mark, _) = error { return mark.line }
        if case let YamlError.parser(_, _, mark, _) = error { return mark.line }
        return nil
    }
}
