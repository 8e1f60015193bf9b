import Foundation
import Testing

/// The package and image sources of 2017 are gone; no file cse builds from or ships as an example may name them.
@Suite struct RetiredSourcesTests {
    static let retired = ["apt" + ".kubernetes.io", "packages.cloud" + ".google.com", "cloud.weave" + ".works", "gcr.io/google" + "_containers"]

    @Test func noSourceOrExampleNamesARetiredSource() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var checked = 0
        for directory in ["Sources", "specs", "examples", "scripts"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(directory), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                checked += 1
                for name in Self.retired {
                    #expect(!text.contains(name), "\(url.path) names \(name)")
                }
            }
        }
        #expect(checked > 100)
    }
}
