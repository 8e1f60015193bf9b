import Testing
@testable import Spec

/// Every class of spec error, each reported as file:line:column with a message that says why.
@Suite struct ValidationTests {
    private func only(_ files: [String: String], knownTemplates: Set<String> = []) throws -> Diagnostic {
        let errors = Fixtures.errors(files, knownTemplates: knownTemplates)
        #expect(errors.count == 1, "\(errors)")
        return try #require(errors.first)
    }

    @Test func yamlSyntaxErrorHasItsPosition() throws {
        let error = try only(["bad.yaml": "apiVersion: cse/v1\nkind: Cluster\nmetadata: {name: c1\n"])
        #expect(error.location.file == "bad.yaml")
        #expect(error.location.line == 4)
        #expect(error.message.hasPrefix("invalid YAML:"))
    }

    @Test func duplicateYamlKeyIsReported() throws {
        let error = try only(["dup.yaml": Fixtures.cluster() + "\n  vdc: again\n"])
        #expect(error.message.contains("duplicate key 'vdc'"), "\(error)")
    }

    @Test func unknownKeySuggestsTheClosestKnownOne() throws {
        let text = Fixtures.cluster().replacingOccurrences(of: "  network: intranet", with: "  netwrok: intranet")
        let error = try only(["c.yaml": text], knownTemplates: ["ubuntu-24.04"])
        #expect(error.description == "c.yaml:9:3: unknown key 'spec.netwrok'; did you mean 'network'?")
    }

    @Test func unknownKeyFarFromAnyGetsNoSuggestion() throws {
        let text = Fixtures.cluster() + "\n  colour: blue"
        let error = try only(["c.yaml": text], knownTemplates: ["ubuntu-24.04"])
        #expect(error.message == "unknown key 'spec.colour'")
    }

    @Test func unknownKindSuggests() throws {
        let error = try only(["k.yaml": "apiVersion: cse/v1\nkind: Clustr\nmetadata: {name: a}\nspec: {}\n"])
        #expect(error.message == "'kind' must be one of Template, Cluster, found 'Clustr'; did you mean 'Cluster'?")
        #expect(error.location.line == 2 && error.location.column == 7)
    }

    @Test func wrongTypesAreNamed() {
        let text = Fixtures.cluster().replacingOccurrences(of: "nodes: {count: 2}", with: "nodes: {count: two}\n  master: [2, 2048]")
        let errors = Fixtures.errors(["c.yaml": text], knownTemplates: ["ubuntu-24.04"])
        #expect(errors.map(\.message) == [
            "'spec.nodes.count' must be an integer, found 'two'",
            "'spec.master' must be a mapping, found a list",
        ])
        #expect(errors.map(\.location.line) == [10, 11])
    }

    @Test func quotedNumberIsAStringNotAnInteger() throws {
        let text = Fixtures.cluster().replacingOccurrences(of: "nodes: {count: 2}", with: "nodes: {count: \"2\"}")
        let error = try only(["c.yaml": text], knownTemplates: ["ubuntu-24.04"])
        #expect(error.message == "'spec.nodes.count' must be an integer, found string \"2\"")
    }

    @Test func outOfRangeValuesShowTheRange() {
        let text = Fixtures.cluster().replacingOccurrences(of: "nodes: {count: 2}", with: "nodes: {count: -1, cpu: 65, memoryMB: 1026}\n  master: {memoryMB: 100}")
        let messages = Fixtures.errors(["c.yaml": text], knownTemplates: ["ubuntu-24.04"]).map(\.message)
        #expect(messages == [
            "'spec.nodes.count' is -1, out of range 0...256",
            "'spec.nodes.cpu' is 65, out of range 1...64",
            "'spec.nodes.memoryMB' is 1026 MB; vCD needs a multiple of 4",
            "'spec.master.memoryMB' is 100, out of range 512...1048576",
        ])
    }

    @Test func clusterNamesFollowHostNameRules() {
        let cases: [(String, String)] = [
            ("averyveryverylongname1", "is 22 characters long, at most 21 allowed"),
            ("bad_name", "contains '_'; only letters, digits, '-' and '.' are allowed"),
            ("-lead", "has a label that starts or ends with '-'"),
            ("a..b", "has an empty label between dots"),
        ]
        for (name, problem) in cases {
            let errors = Fixtures.errors(["c.yaml": Fixtures.cluster(name: name)], knownTemplates: ["ubuntu-24.04"])
            #expect(errors.map(\.message) == ["'metadata.name' '\(name)' \(problem)"], "\(name)")
        }
        #expect(Fixtures.errors(["c.yaml": Fixtures.cluster(name: "abcdefghijklmnopqrstu")], knownTemplates: ["ubuntu-24.04"]).isEmpty)
    }

    @Test func duplicateNamesAcrossFilesPointAtBoth() throws {
        let error = try only(["a.yaml": Fixtures.cluster(), "b.yaml": Fixtures.cluster()], knownTemplates: ["ubuntu-24.04"])
        #expect(error.description == "b.yaml:1:1: duplicate Cluster 'c1' in org 'org1'; first defined at a.yaml:1:1")
    }

    @Test func sameClusterNameInTwoOrgsIsFine() throws {
        let set = try Fixtures.load(["a.yaml": Fixtures.cluster(org: "org1"), "b.yaml": Fixtures.cluster(org: "org2")], knownTemplates: ["ubuntu-24.04"])
        #expect(set.clusters.count == 2)
    }

    @Test func clusterNamingAMissingTemplate() throws {
        let error = try only(["a.yaml": Fixtures.template, "c.yaml": Fixtures.cluster(template: "ubuntu-24.4")])
        #expect(error.description == "c.yaml:1:1: cluster 'c1' names template 'ubuntu-24.4', which does not exist; did you mean 'ubuntu-24.04'?")
    }

    @Test func templateKnownFromTheStoreSatisfiesAReference() throws {
        #expect(Fixtures.errors(["c.yaml": Fixtures.cluster()], knownTemplates: ["ubuntu-24.04"]).isEmpty)
    }

    @Test func missingRequiredKeysAreEachReported() {
        let text = "apiVersion: cse/v1\nkind: Cluster\nmetadata: {name: c1}\nspec: {network: n}\n"
        let messages = Fixtures.errors(["c.yaml": text]).map(\.message)
        #expect(messages == [
            "missing required key 'metadata.org'",
            "missing required key 'spec.template'",
            "missing required key 'spec.vdc'",
        ])
    }

    @Test func literalSecretIsRefused() throws {
        let text = Fixtures.template.replacingOccurrences(of: "rootPassword: {env: CSE_TEMPLATE_ROOT_PASSWORD}", with: "rootPassword: hunter2")
        let error = try only(["t.yaml": text])
        #expect(error.message == "'spec.rootPassword' must reference a secret as {env: VARIABLE} or {file: PATH}, never hold it")
        #expect(!error.description.contains("hunter2"))
    }

    @Test func templateFieldProblems() {
        let text = Fixtures.template
            .replacingOccurrences(of: "version: \"24.04\"", with: "version: \"18.04\"")
            .replacingOccurrences(of: "sha1: 1bddf68820c717e13c6d1acd800fb7b4d197b411", with: "sha1: xyz")
            .replacingOccurrences(of: "catalog: cse}", with: "catalog: cse, ipAllocationMode: static}")
        let messages = Fixtures.errors(["t.yaml": text]).map(\.message)
        #expect(messages == [
            "'spec.os.version' ubuntu '18.04' is not supported; supported: 16.04, 22.04, 24.04",
            "'spec.source.sha1' must be 40 hexadecimal digits",
            "'spec.build.ipAllocationMode' must be one of dhcp, pool, found 'static'",
        ])
    }

    @Test func badSshKeyAndUrlAndApiVersion() {
        let text = Fixtures.template
            .replacingOccurrences(of: "apiVersion: cse/v1", with: "apiVersion: cse/v2")
            .replacingOccurrences(of: "url: https://example.com/images/ubuntu-24.04-server-cloudimg-amd64.ova", with: "url: ftp://x/y.ova")
            + "\n  adminSSHKey: not-a-key"
        let messages = Fixtures.errors(["t.yaml": text]).map(\.message)
        #expect(messages.count == 3)
        #expect(messages.contains("unsupported apiVersion 'cse/v2'; this cse reads 'cse/v1'"))
        #expect(messages.contains("'spec.source.url' must be an http, https or file URL, found 'ftp://x/y.ova'"))
        #expect(messages.contains { $0.hasPrefix("'spec.adminSSHKey' is not an ssh public key") })
    }

    @Test func everyErrorOfEveryFileIsCollectedInOrder() {
        let errors = Fixtures.errors([
            "b.yaml": "apiVersion: cse/v1\nkind: Cluster\nmetadata: {name: c_1, org: o}\nspec: {vdc: v, template: missing, nodez: 1}\n",
            "a.yaml": "key: [unclosed\n",
        ])
        #expect(errors.map(\.location.file) == ["a.yaml", "b.yaml", "b.yaml"])
        guard errors.count == 3 else { return }
        #expect(errors[1].message.contains("'metadata.name' 'c_1'"))
        #expect(errors[2].message.contains("unknown key 'spec.nodez'; did you mean 'nodes'?"))
        // The reference check runs only on documents that parsed: c_1 was rejected, so no extra error for it.
    }

    @Test func documentThatIsNotAMapping() throws {
        let error = try only(["l.yaml": "- just\n- a list\n"])
        #expect(error.message == "the document must be a mapping, found a list")
    }

    @Test func suggestionDistance() {
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.closest(to: "memoryMb", among: ["cpu", "memoryMB"]) == "memoryMB")
        #expect(Suggestion.closest(to: "x", among: ["cpu", "memoryMB"]) == nil)
    }
}
