import Testing
import ExtensionService

@Suite struct ExtensionServiceEventTests {
    @Test func streamDeliversWhatTheHandlerIsGivenInOrder() async {
        let (events, handler) = ExtensionServiceEvent.stream()
        handler(.committed(requestID: "a"))
        handler(.answered(requestID: "a", status: 202))
        handler(.acknowledged(requestID: "a"))
        var received: [ExtensionServiceEvent] = []
        for await event in events {
            received.append(event)
            if received.count == 3 { break }
        }
        #expect(received == [.committed(requestID: "a"), .answered(requestID: "a", status: 202), .acknowledged(requestID: "a")])
    }
}
