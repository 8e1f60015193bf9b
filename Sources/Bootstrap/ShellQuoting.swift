/// Turning arbitrary text into bash words that expand to exactly that text.
enum Shell {
    /// A single-quoted bash word: every character literal, `'` written as `'\''`.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Text safe inside a `#` comment line: line breaks would end the comment and start a command.
    static func commentSafe(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
