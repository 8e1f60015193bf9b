import Testing
@testable import Spec

@Suite struct SpecHashTests {
    /// The hash stays what stores already hold: SHA-256 of "Kind\ncanonical JSON" ("Cluster\n{}" here), lower-case hex (reference from Python's hashlib).
    @Test func specHashIsSHA256OfKindAndCanonicalFormInLowerCaseHex() {
        #expect(DesiredObject.specHash(kind: .cluster, canonicalJSON: "{}") == "d79fd4a2aabd7724d41cd182b8b3c9e43e67d2582b2dd71e64f2bfaa75a5c6ea")
        let object = DesiredObject.cluster(ClusterSpec(name: "c1", org: "org1", vdc: "v", template: "t", network: "n", nodes: NodePool(count: 2)))
        #expect(object.specHash == DesiredObject.specHash(kind: .cluster, canonicalJSON: object.canonicalJSON))
    }
}
