import Testing
@testable import Spec

@Suite("service.lease.ttl in config.yaml")
struct LeaseTTLConfigTests {
    @Test func theLeaseTTLComesFromConfigWithA15SecondDefault() throws {
        #expect(try ConfigLoader.load(text: "service:\n  listeners: 2\n", file: "config.yaml").service.leaseTTLSeconds == 15)
        #expect(try ConfigLoader.load(text: "service:\n  lease:\n    ttl: 5\n", file: "config.yaml").service.leaseTTLSeconds == 5)
    }

    @Test func aBadTTLIsRefusedWithItsPlace() throws {
        for text in ["service:\n  lease:\n    ttl: 1\n", "service:\n  lease:\n    tll: 5\n"] {
            do {
                _ = try ConfigLoader.load(text: text, file: "config.yaml")
                Issue.record("accepted: \(text)")
            } catch let errors as ValidationErrors {
                #expect("\(errors)".contains("config.yaml:3:"), "\(errors)")
            }
        }
    }
}
