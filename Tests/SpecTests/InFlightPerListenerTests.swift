import Testing
@testable import Spec

@Suite("service.inflight_per_listener in config.yaml")
struct InFlightPerListenerTests {
    @Test func requestsInFlightPerConsumerComeFromConfigWithADefault() throws {
        let defaults = try ConfigLoader.load(text: "service:\n  listeners: 2\n", file: "config.yaml")
        #expect(defaults.service.inFlightPerListener == 16)
        let set = try ConfigLoader.load(text: "service:\n  listeners: 4\n  inflight_per_listener: 32\n", file: "config.yaml")
        #expect(set.service.listeners == 4 && set.service.inFlightPerListener == 32)
    }

    @Test func anOutOfRangeValueIsRefusedWithItsPlace() throws {
        do {
            _ = try ConfigLoader.load(text: "service:\n  inflight_per_listener: 0\n", file: "config.yaml")
            Issue.record("0 requests in flight was accepted")
        } catch let errors as ValidationErrors {
            #expect("\(errors)".contains("config.yaml:2:"), "\(errors)")
            #expect("\(errors)".contains("inflight_per_listener"), "\(errors)")
        }
    }
}
