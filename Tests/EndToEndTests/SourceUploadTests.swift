import Foundation
import Testing
@testable import Reconcile

@Suite("Source OVA upload")
struct SourceUploadTests {
    /// An OVA made with tar (descriptor + disk), and its SHA-1.
    private func makeOVA(in directory: URL) throws -> (url: String, sha1: String) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let descriptor = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
              <References><File href="disk1.vmdk" id="file1"/></References>
              <VirtualSystem id="custom"><ProductSection><Info>cloud-init</Info><Property key="user-data" type="string" value=""/></ProductSection><VirtualHardwareSection>
                <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
                <Item><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>2048</rasd:VirtualQuantity></Item>
              </VirtualHardwareSection></VirtualSystem>
            </Envelope>
            """
        try descriptor.write(to: directory.appendingPathComponent("custom.ovf"), atomically: true, encoding: .utf8)
        try Data(repeating: 0x5A, count: 70_000).write(to: directory.appendingPathComponent("disk1.vmdk"))
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-C", directory.path, "-cf", directory.appendingPathComponent("custom.ova").path, "custom.ovf", "disk1.vmdk"]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let path = directory.appendingPathComponent("custom.ova").path
        return ("file://" + path, try SourceOVA(path: path, isTemporary: false, size: 0).sha1())
    }

    private func template(url: String, sha1: String) -> String {
        Specs.template().replacingOccurrences(of: Specs.sourceLine, with: "source: {url: \"\(url)\", sha1: \(sha1), catalogItem: custom.ova}")
    }

    @Test(arguments: Cloud.releases)
    func aMissingSourceOVAIsUploadedVerifiedAndUsed(release: String) async throws {
        let cloud = try await Cloud.start(release: release)
        defer { Task { await cloud.stop() } }
        let (url, sha1) = try makeOVA(in: cloud.directory.appendingPathComponent("ova"))
        try cloud.apply(template(url: url, sha1: sha1), Specs.cluster("up", nodes: 1))
        #expect(try await cloud.converge() == .converged)
        let audit = try await cloud.audit()
        let items = audit.raw["catalogItems"] as? [[String: Any]] ?? []
        let uploaded = try #require(items.first { $0["name"] as? String == "custom.ova" })
        #expect((uploaded["systemMetadata"] as? [String: String])?["cse.source.sha1"] == sha1)
        #expect(uploaded["status"] as? Int == 8)
        #expect(audit.vmNames(of: "up") == ["up-m1", "up-n1"])
    }

    @Test func aSourceOVAServedOverHTTPIsDownloadedToDiskAndUploaded() async throws {
        func downloads() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path).filter { $0.hasPrefix("cse-ova-") })
        }
        let before = try downloads()
        let cloud = try await Cloud.start()
        let directory = cloud.directory.appendingPathComponent("ova")
        let (fileURL, sha1) = try makeOVA(in: directory)
        let server = try StaticHTTPServer(directory: directory)
        defer { server.stop() }
        let url = server.baseURL + "/" + URL(string: fileURL)!.lastPathComponent
        try cloud.apply(template(url: url, sha1: sha1))
        #expect(try await cloud.converge() == .converged)
        let items = (try await cloud.audit()).raw["catalogItems"] as? [[String: Any]] ?? []
        let uploaded = items.first { $0["name"] as? String == "custom.ova" }
        #expect((uploaded?["systemMetadata"] as? [String: String])?["cse.source.sha1"] == sha1)
        #expect(uploaded?["status"] as? Int == 8)
        // Once the reconciler has drained, the download (a temporary file) is gone again.
        await cloud.stop()
        #expect(try downloads().subtracting(before).isEmpty)
    }

    @Test func aWrongSHA1IsAPermanentFailureAndNothingIsUploaded() async throws {
        let cloud = try await Cloud.start()
        defer { Task { await cloud.stop() } }
        let (url, _) = try makeOVA(in: cloud.directory.appendingPathComponent("ova"))
        try cloud.apply(template(url: url, sha1: String(repeating: "0", count: 40)))
        let outcome = try await cloud.converge(timeout: .seconds(90))
        guard case .failed(let failures) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(failures.joined().contains("SHA-1"))
        #expect(!(try await cloud.audit()).catalogItems.contains("custom.ova"))
    }
}

/// `python3 -m http.server` on a free loopback port, serving one directory; stopped by its PID.
final class StaticHTTPServer: @unchecked Sendable {
    let process = Process()
    let baseURL: String

    init(directory: URL) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory.path]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..."
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "port "), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            kill(process.processIdentifier, SIGKILL)
            throw HTTPServerError(description: "python3 http.server did not start: \(text)")
        }
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// SIGKILL: the test process may ignore SIGTERM (signal handling of the service tests), and an ignored signal
    /// stays ignored in the child.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct HTTPServerError: Error, CustomStringConvertible {
    var description: String
}
