import Foundation
@testable import Spec

/// Valid documents the tests start from and break on purpose.
enum Fixtures {
    static let template = """
        apiVersion: cse/v1
        kind: Template
        metadata:
          name: ubuntu-24.04
        spec:
          os: {name: ubuntu, version: "24.04"}
          source:
            url: https://example.com/images/ubuntu-24.04-server-cloudimg-amd64.ova
            sha1: 1bddf68820c717e13c6d1acd800fb7b4d197b411
          build: {org: cse, vdc: cse-vdc, network: cse-net, catalog: cse}
          rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
        """

    static func cluster(name: String = "c1", org: String = "org1", template: String = "ubuntu-24.04", nodes: Int = 2) -> String {
        """
        apiVersion: cse/v1
        kind: Cluster
        metadata:
          name: \(name)
          org: \(org)
        spec:
          vdc: org1-vdc
          template: \(template)
          network: intranet
          nodes: {count: \(nodes)}
        """
    }

    static func load(_ files: [String: String], knownTemplates: Set<String> = []) throws -> SpecSet {
        try SpecLoader(knownTemplates: knownTemplates).load(sources: files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The diagnostics of a load that must fail.
    static func errors(_ files: [String: String], knownTemplates: Set<String> = []) -> [Diagnostic] {
        do {
            _ = try load(files, knownTemplates: knownTemplates)
            return []
        } catch let errors as ValidationErrors {
            return errors.diagnostics
        } catch {
            return [Diagnostic(SourceLocation(file: "?", line: 0, column: 0), "unexpected error \(error)")]
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cse-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
