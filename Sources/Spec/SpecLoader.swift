import Foundation
import Yams

/// A validated set of specs: every object once, every reference resolved.
public struct SpecSet: Sendable {
    public var objects: [LoadedObject]
    public var files: [String]

    public init(objects: [LoadedObject], files: [String]) {
        self.objects = objects
        self.files = files
    }

    public var templates: [TemplateSpec] {
        objects.compactMap { if case .template(let spec) = $0.object { return spec } else { return nil } }
    }

    public var clusters: [ClusterSpec] {
        objects.compactMap { if case .cluster(let spec) = $0.object { return spec } else { return nil } }
    }
}

/// Loads specs from a file or, recursively, from every `*.yaml` / `*.yml` file below a directory.
/// Collects every problem of every file before failing; nothing is returned unless all is valid.
public struct SpecLoader {
    /// Templates that exist outside the loaded files (already in the store), so clusters may name them.
    public var knownTemplates: Set<String>

    public init(knownTemplates: Set<String> = []) {
        self.knownTemplates = knownTemplates
    }

    public func load(path: String) throws -> SpecSet {
        let files = try Self.specFiles(at: path)
        var sources: [(file: String, text: String)] = []
        let sink = DiagnosticSink()
        for file in files {
            let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
            if size > Self.maxFileBytes {
                sink.report(SourceLocation(file: file, line: 1, column: 1), "file is \(size) bytes; a spec file may hold at most \(Self.maxFileBytes)")
                continue
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                sink.report(SourceLocation(file: file, line: 1, column: 1), "cannot read file")
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                sink.report(SourceLocation(file: file, line: 1, column: 1), "file is not UTF-8 text")
                continue
            }
            sources.append((file, text))
        }
        return try load(sources: sources, sink: sink)
    }

    /// Loads already-read sources; `file` is the name used in diagnostics.
    public func load(sources: [(file: String, text: String)]) throws -> SpecSet {
        try load(sources: sources, sink: DiagnosticSink())
    }

    private func load(sources: [(file: String, text: String)], sink: DiagnosticSink) throws -> SpecSet {
        var objects: [LoadedObject] = []
        for source in sources {
            objects += parseFile(source.file, text: source.text, sink: sink)
        }
        checkDuplicates(objects, sink: sink)
        checkTemplateReferences(objects, sink: sink)
        if !sink.isEmpty { throw ValidationErrors(sink.diagnostics) }
        return SpecSet(objects: objects.sorted { $0.object.key < $1.object.key }, files: sources.map(\.file))
    }

    private func parseFile(_ file: String, text: String, sink: DiagnosticSink) -> [LoadedObject] {
        let parser = DocumentParser(file: file, sink: sink)
        var objects: [LoadedObject] = []
        do {
            // Parser.nextRoot throws on a syntax error (compose_all's sequence would swallow it).
            let yaml = try Parser(yaml: text)
            while let document = try yaml.nextRoot() {
                if let object = parser.parse(document) { objects.append(object) }
            }
        } catch let error as YamlError {
            sink.report(Self.location(of: error, in: file), "invalid YAML: \(Self.problem(of: error))")
        } catch {
            sink.report(SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
        return objects
    }

    private func checkDuplicates(_ objects: [LoadedObject], sink: DiagnosticSink) {
        var first: [ObjectKey: SourceLocation] = [:]
        for object in objects {
            let key = object.object.key
            if let earlier = first[key] {
                let scope = key.org.isEmpty ? "" : " in org '\(key.org)'"
                sink.report(object.location, "duplicate \(key.kind.rawValue) '\(key.name)'\(scope); first defined at \(earlier)")
            } else {
                first[key] = object.location
            }
        }
    }

    private func checkTemplateReferences(_ objects: [LoadedObject], sink: DiagnosticSink) {
        let templates = knownTemplates.union(objects.compactMap {
            if case .template(let spec) = $0.object { return spec.name } else { return nil }
        })
        for object in objects {
            guard case .cluster(let spec) = object.object, !templates.contains(spec.template) else { continue }
            var message = "cluster '\(spec.name)' names template '\(spec.template)', which does not exist"
            if let suggestion = Suggestion.closest(to: spec.template, among: templates.sorted()) {
                message += "; did you mean '\(suggestion)'?"
            } else if !templates.isEmpty {
                message += " (templates: \(templates.sorted().joined(separator: ", ")))"
            }
            sink.report(object.location, message)
        }
    }

    /// Spec files are small; anything larger is a mistake (a log, an image) and is refused before it is read.
    public static let maxFileBytes = 1 << 20

    /// The spec files at `path`: the file itself, or every YAML file below the directory, sorted, hidden ones skipped.
    /// A symbolic link to a directory is refused (never skipped silently: with `--prune`, a skipped folder's
    /// clusters would be deleted).
    public static func specFiles(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpecPathError.notFound(path)
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { throw SpecPathError.notFound(path) }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            let full = (path as NSString).appendingPathComponent(relative)
            if (try? FileManager.default.attributesOfItem(atPath: full))?[.type] as? FileAttributeType == .typeSymbolicLink {
                var targetIsDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &targetIsDirectory), targetIsDirectory.boolValue {
                    throw SpecPathError.symlinkedDirectory(full)
                }
            }
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { files.append(full) }
        }
        if files.isEmpty { throw SpecPathError.noSpecs(path) }
        return files.sorted()
    }

    static func location(of error: YamlError, in file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return SourceLocation(file: file, line: 1, column: 1)
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}

public enum SpecPathError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case noSpecs(String)
    case symlinkedDirectory(String)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): no such file or directory"
        case .noSpecs(let path): return "\(path): no *.yaml or *.yml files found"
        case .symlinkedDirectory(let path):
            return "\(path): a symbolic link to a directory; cse does not follow it (name its target, or copy the specs); nothing was written"
        }
    }
}
