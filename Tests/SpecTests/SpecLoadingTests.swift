import Foundation
import Testing
@testable import Spec

@Suite struct SpecLoadingTests {
    @Test func loadsTemplateWithDefaults() throws {
        let set = try Fixtures.load(["t.yaml": Fixtures.template])
        let template = try #require(set.templates.first)
        #expect(template.name == "ubuntu-24.04")
        #expect(template.os == OperatingSystem(family: .ubuntu, version: "24.04"))
        #expect(template.labels == ["ubuntu", "24.04"])
        #expect(template.versions == SoftwareVersions.current)
        #expect(template.versions.cni.sha256 == "ef325a26cb4e0a2d386d0e512c0cf4fd0fa935ac25777b41b0d3737153025a1c")
        #expect(template.packages == PackageSources())
        #expect(template.source.catalogItem == "ubuntu-24.04-server-cloudimg-amd64.ova")
        #expect(template.catalogItem == "ubuntu-24.04")
        #expect(template.build.ipAllocationMode == .pool)
        #expect(template.build.cleanup && template.build.capture)
        #expect(template.master == VMResources(cpu: 2, memoryMB: 2048))
        #expect(template.rootPassword == .environment("CSE_TEMPLATE_ROOT_PASSWORD"))
    }

    @Test func photonDefaultsComeFromTheReleaseTable() throws {
        let photon = Fixtures.template.replacingOccurrences(of: #"{name: ubuntu, version: "24.04"}"#, with: #"{name: photon, version: "5.0"}"#)
        let template = try #require(try Fixtures.load(["t.yaml": photon]).templates.first)
        #expect(template.versions == SoftwareVersions.current)
        #expect(template.labels == ["photon", "5.0"])
        #expect(template.os.hasCloudInit)
    }

    @Test func loadsMultiDocumentFilesAndClusters() throws {
        let text = Fixtures.template + "\n---\n" + Fixtures.cluster(name: "c1") + "\n---\n" + Fixtures.cluster(name: "c0", nodes: 0)
        let set = try Fixtures.load(["all.yml": text])
        #expect(set.templates.count == 1)
        #expect(set.clusters.map(\.name) == ["c0", "c1"])
        let single = try #require(set.clusters.first { $0.name == "c0" })
        #expect(single.nodes.count == 0)
        #expect(single.master == SizeOverride())
        #expect(single.network == "intranet")
    }

    @Test func clusterWithoutNodesSectionGetsVcdCliDefaultOfTwo() throws {
        let text = """
            apiVersion: cse/v1
            kind: Cluster
            metadata: {name: c2, org: org1}
            spec: {vdc: v, template: ubuntu-24.04, storageProfile: "*"}
            """
        let cluster = try #require(try Fixtures.load(["c.yaml": text], knownTemplates: ["ubuntu-24.04"]).clusters.first)
        #expect(cluster.nodes.count == 2)
        #expect(cluster.network == nil)
        #expect(cluster.storageProfile == nil, "'*' means the vdc's default profile")
    }

    @Test func readsDirectoriesRecursivelySkippingHiddenAndOtherFiles() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try Fixtures.template.write(to: root.appendingPathComponent("a/template.yaml"), atomically: true, encoding: .utf8)
        try Fixtures.cluster().write(to: root.appendingPathComponent("a/b/cluster.yml"), atomically: true, encoding: .utf8)
        try "not: [yaml".write(to: root.appendingPathComponent(".git/broken.yaml"), atomically: true, encoding: .utf8)
        try "kind: nothing".write(to: root.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        let set = try SpecLoader().load(path: root.path)
        #expect(set.files.count == 2)
        #expect(set.objects.count == 2)
    }

    @Test func missingPathAndEmptyDirectoryAreClearErrors() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: SpecPathError.noSpecs(root.path)) { try SpecLoader().load(path: root.path) }
        #expect(throws: SpecPathError.notFound("/nonexistent/specs")) { try SpecLoader().load(path: "/nonexistent/specs") }
    }

    @Test func hashIsStableAcrossFormattingAndChangesWithContent() throws {
        let compact = try #require(try Fixtures.load(["a.yaml": Fixtures.template]).objects.first)
        let reordered = """
            kind: Template
            apiVersion: cse/v1
            spec:
              rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}
              build:
                catalog: cse
                network: cse-net
                vdc: cse-vdc
                org: cse
              source:
                sha1: 1BDDF68820C717E13C6D1ACD800FB7B4D197B411
                url: https://example.com/images/ubuntu-24.04-server-cloudimg-amd64.ova
              os:
                version: "24.04"
                name: ubuntu
            metadata:
              name: ubuntu-24.04   # same spec, other layout
            """
        let same = try #require(try Fixtures.load(["b.yaml": reordered]).objects.first)
        #expect(compact.object.specHash == same.object.specHash)
        #expect(compact.object.canonicalJSON == same.object.canonicalJSON)
        let changed = try #require(try Fixtures.load(["c.yaml": Fixtures.template.replacingOccurrences(of: "cse-net", with: "other-net")]).objects.first)
        #expect(changed.object.specHash != compact.object.specHash)
        #expect(compact.object.specHash.count == 64)
    }

    @Test func canonicalFormRoundTrips() throws {
        let set = try Fixtures.load(["a.yaml": Fixtures.template + "\n---\n" + Fixtures.cluster()])
        for loaded in set.objects {
            let decoded = try DesiredObject.decode(kind: loaded.object.kind, canonicalJSON: loaded.object.canonicalJSON)
            #expect(decoded == loaded.object)
        }
    }

    @Test func secretReferencesResolveWithoutLeakingIntoDescriptions() throws {
        let reference = SecretReference.environment("CSE_PW")
        #expect(try reference.resolve(environment: ["CSE_PW": "s3cret"]) == "s3cret")
        #expect(!reference.description.contains("s3cret"))
        #expect(throws: SecretError.unset(reference)) { try reference.resolve(environment: [:]) }
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("pw")
        try "from-file\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try SecretReference.file(file.path).resolve() == "from-file")
        #expect(throws: SecretError.unreadable(.file("/nonexistent"))) { try SecretReference.file("/nonexistent").resolve() }
    }
}
