import Yams

/// Reads one YAML mapping field by field. Every problem (unknown key, wrong type, value out of range)
/// goes to the sink with its place in the file, and reading goes on so a load reports all of them.
struct MappingReader {
    let file: String
    let node: Node
    let path: String
    let sink: DiagnosticSink
    private let entries: [(key: String, keyNode: Node, value: Node)]

    /// Returns nil (after reporting) when `node` is not a mapping.
    init?(_ node: Node, file: String, path: String, allowedKeys: [String], sink: DiagnosticSink) {
        self.file = file
        self.node = node
        self.path = path
        self.sink = sink
        guard case .mapping(let mapping) = node else {
            sink.report(YAMLLocation.of(node, in: file), "\(Self.describe(path)) must be a mapping, found \(YAMLLocation.kindName(node))")
            return nil
        }
        var entries: [(String, Node, Node)] = []
        var seen: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                sink.report(YAMLLocation.of(keyNode, in: file), "keys of \(Self.describe(path)) must be plain strings")
                continue
            }
            let key = scalar.string
            if let first = seen[key] {
                sink.report(YAMLLocation.of(keyNode, in: file),
                            "duplicate key '\(Self.join(path, key))' (first at line \(first.mark?.line ?? 0))")
                continue
            }
            seen[key] = keyNode
            if !allowedKeys.contains(key) {
                var message = "unknown key '\(Self.join(path, key))'"
                if let suggestion = Suggestion.closest(to: key, among: allowedKeys) {
                    message += "; did you mean '\(suggestion)'?"
                }
                sink.report(YAMLLocation.of(keyNode, in: file), message)
                continue
            }
            entries.append((key, keyNode, value))
        }
        self.entries = entries
    }

    var location: SourceLocation { YAMLLocation.of(node, in: file) }

    func has(_ key: String) -> Bool { value(key) != nil }

    /// The value node of `key`, or nil when absent or explicitly null.
    func value(_ key: String) -> Node? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case .scalar(let scalar) = entry.value, scalar.style == .plain, Self.isNull(scalar.string) { return nil }
        return entry.value
    }

    func location(of key: String) -> SourceLocation {
        guard let entry = entries.first(where: { $0.key == key }) else { return location }
        return YAMLLocation.of(entry.value, in: file)
    }

    func qualified(_ key: String) -> String { Self.join(path, key) }

    // MARK: typed reads

    func string(_ key: String, required: Bool = false) -> String? {
        guard let node = value(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            sink.report(YAMLLocation.of(node, in: file), "'\(qualified(key))' must be a string, found \(YAMLLocation.kindName(node))")
            return nil
        }
        return scalar.string
    }

    func int(_ key: String, required: Bool = false, range: ClosedRange<Int>) -> Int? {
        guard let node = value(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .scalar(let scalar) = node, scalar.style == .plain, let number = Int(scalar.string) else {
            sink.report(YAMLLocation.of(node, in: file), "'\(qualified(key))' must be an integer, found \(YAMLLocation.describeValue(node))")
            return nil
        }
        guard range.contains(number) else {
            sink.report(YAMLLocation.of(node, in: file),
                        "'\(qualified(key))' is \(number), out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return number
    }

    func bool(_ key: String) -> Bool? {
        guard let node = value(key) else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain,
              let flag = ["true": true, "false": false][scalar.string.lowercased()] else {
            sink.report(YAMLLocation.of(node, in: file), "'\(qualified(key))' must be true or false, found \(YAMLLocation.describeValue(node))")
            return nil
        }
        return flag
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, required: Bool = false) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        if let value = Choice(rawValue: text) { return value }
        let names = Choice.allCases.map(\.rawValue)
        var message = "'\(qualified(key))' must be one of \(names.joined(separator: ", ")), found '\(text)'"
        if let suggestion = Suggestion.closest(to: text, among: names) { message += "; did you mean '\(suggestion)'?" }
        sink.report(location(of: key), message)
        return nil
    }

    func stringList(_ key: String) -> [String]? {
        guard let node = value(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            sink.report(YAMLLocation.of(node, in: file), "'\(qualified(key))' must be a list of strings, found \(YAMLLocation.kindName(node))")
            return nil
        }
        var result: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else {
                sink.report(YAMLLocation.of(item, in: file), "items of '\(qualified(key))' must be strings, found \(YAMLLocation.kindName(item))")
                continue
            }
            result.append(scalar.string)
        }
        return result
    }

    func mapping(_ key: String, allowedKeys: [String], required: Bool = false) -> MappingReader? {
        guard let node = value(key) else {
            if required { missing(key) }
            return nil
        }
        return MappingReader(node, file: file, path: qualified(key), allowedKeys: allowedKeys, sink: sink)
    }

    /// A secret is a reference, `{env: NAME}` or `{file: PATH}`; a literal value is refused so that it never lands in a spec.
    func secret(_ key: String, required: Bool = false) -> SecretReference? {
        guard let node = value(key) else {
            if required { missing(key) }
            return nil
        }
        if case .scalar = node {
            sink.report(YAMLLocation.of(node, in: file),
                        "'\(qualified(key))' must reference a secret as {env: VARIABLE} or {file: PATH}, never hold it")
            return nil
        }
        guard let reader = MappingReader(node, file: file, path: qualified(key), allowedKeys: ["env", "file"], sink: sink) else {
            return nil
        }
        let env = reader.string("env")
        let path = reader.string("file")
        switch (env, path) {
        case (let env?, nil) where SecretReference.isValidVariableName(env): return .environment(env)
        case (let env?, nil):
            sink.report(reader.location(of: "env"), "'\(reader.qualified("env"))' is not a valid environment variable name: '\(env)'")
        case (nil, let path?) where !path.isEmpty: return .file(path)
        default:
            sink.report(reader.location, "'\(qualified(key))' needs exactly one of 'env' or 'file'")
        }
        return nil
    }

    func report(_ key: String, _ message: String) {
        sink.report(location(of: key), message)
    }

    private func missing(_ key: String) {
        sink.report(location, "missing required key '\(qualified(key))'")
    }

    static func isNull(_ text: String) -> Bool { ["", "~", "null", "Null", "NULL"].contains(text) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func describe(_ path: String) -> String { path.isEmpty ? "the document" : "'\(path)'" }
}

enum YAMLLocation {
    static func of(_ node: Node, in file: String) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    static func kindName(_ node: Node) -> String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func describeValue(_ node: Node) -> String {
        if case .scalar(let scalar) = node {
            return scalar.style == .plain ? "'\(scalar.string)'" : "string \"\(scalar.string)\""
        }
        return kindName(node)
    }
}
