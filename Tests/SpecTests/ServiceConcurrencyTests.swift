import Testing
@testable import Spec

@Suite("service.concurrency in config.yaml")
struct ServiceConcurrencyTests {
    @Test func limitsComeFromConfigWithDefaults() throws {
        let defaults = try ConfigLoader.load(text: "service:\n  listeners: 2\n", file: "config.yaml")
        #expect(defaults.service.concurrency == ServiceSettings.Concurrency(global: 32, perOrg: 16))
        let set = try ConfigLoader.load(text: "service:\n  concurrency:\n    global: 64\n    per_org: 8\n", file: "config.yaml")
        #expect(set.service.concurrency.global == 64 && set.service.concurrency.perOrg == 8)
    }

    @Test func badLimitsAreRefusedWithTheirPlace() throws {
        #expect(throws: ValidationErrors.self) { try ConfigLoader.load(text: "service:\n  concurrency:\n    global: 0\n", file: "config.yaml") }
        do {
            _ = try ConfigLoader.load(text: "service:\n  concurrency:\n    per_orgs: 3\n", file: "config.yaml")
            Issue.record("an unknown key was accepted")
        } catch let errors as ValidationErrors {
            #expect("\(errors)".contains("config.yaml:3:"))
            #expect("\(errors)".contains("per_orgs"))
        }
    }
}
