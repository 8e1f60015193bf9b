import ArgumentParser
import Foundation
import Spec

enum Diagnostics {
    /// Runs a load; on validation errors prints each as `file:line:column: message` (so editors can jump to it)
    /// on stderr and exits with status 1.
    static func orExit<T>(_ load: () throws -> T) throws -> T {
        do {
            return try load()
        } catch let errors as ValidationErrors {
            let count = errors.diagnostics.count
            printError(errors.description + "\n\(count) problem\(count == 1 ? "" : "s") found; nothing was written.")
            throw ExitCode.failure
        } catch let error as SpecPathError {
            printError("Error: \(error)")
            throw ExitCode.failure
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
