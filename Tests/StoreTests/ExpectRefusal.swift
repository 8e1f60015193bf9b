import Testing

/// Expects `body` to fail with an error whose text says each of `says` and never shows `secret` (a password in a URL).
func expectRefusal(_ what: String, says: [String], hiding secret: String = "s3cret-pw",
                   sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("\(what) was accepted", sourceLocation: sourceLocation)
    } catch {
        let text = "\(error)"
        for part in says { #expect(text.contains(part), "\(text)", sourceLocation: sourceLocation) }
        #expect(!text.contains(secret), "\(text)", sourceLocation: sourceLocation)
    }
}
