import Crypto
import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator OVF upload")
struct UploadTests {
    static let descriptor = """
        <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
        <References><File ovf:href="disk1.vmdk" ovf:id="file1" ovf:size="10"/></References>
        <VirtualSystem ovf:id="photon"><VirtualHardwareSection>
        <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
        <Item><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>2048</rasd:VirtualQuantity></Item>
        </VirtualHardwareSection></VirtualSystem></Envelope>
        """

    static func beginUpload(_ sim: SimHarness, _ admin: VCDSession, name: String) async throws -> (upload: String, template: String) {
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        let upload = try #require(catalog.link(rel: "add", type: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml"))
        let item = try await admin.send("POST", upload.href,
                                        xml: #"<UploadVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="\#(name)"><Description>d</Description></UploadVAppTemplateParams>"#,
                                        contentType: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml")
        return (upload.href, try #require(item.first("Entity")?["href"]))
    }

    static func file(_ template: XMLTree, _ name: String) -> XMLTree? {
        template.descendants("File").first { $0["name"] == name }
    }

    /// Polls the template until `name` is listed (vCD lists the disk files a while after the descriptor).
    static func waitForFile(_ admin: VCDSession, _ templateHref: String, _ name: String) async throws -> XMLTree {
        for _ in 0..<500 {
            if let file = file(try await admin.get(templateHref), name) { return file }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SimTestError("\(name) was never listed")
    }

    @Test func filesAreListedAfterTheDescriptorTakenInPiecesAndStayListedWhenFinished() async throws {
        let listDelay = 1.0
        let sim = try await SimHarness.start { $0.uploadListSeconds = listDelay }
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let (upload, templateHref) = try await Self.beginUpload(sim, admin, name: "photon-upload")
        var template = try await admin.get(templateHref)
        #expect(template["status"] == "0")
        let descriptorLink = try #require(Self.file(template, "descriptor.ovf")?.links.first?.href)
        let sent = ContinuousClock.now
        #expect(try await sim.raw("PUT", descriptorLink, body: Self.descriptor).status == 200)
        // Right after the descriptor, the disk is not listed yet (checked only when the read came within the delay: a
        // loaded machine may take longer); the descriptor stays listed, complete.
        template = try await admin.get(templateHref)
        if ContinuousClock.now - sent < .milliseconds(Int64(listDelay * 1000)) { #expect(Self.file(template, "disk1.vmdk") == nil) }
        let descriptorEntry = try #require(Self.file(template, "descriptor.ovf"))
        #expect(descriptorEntry["bytesTransferred"] == descriptorEntry["size"])
        let disk = try await Self.waitForFile(admin, templateHref, "disk1.vmdk")
        #expect(disk["size"] == "10")
        #expect(disk["bytesTransferred"] == "0")
        let diskLink = try #require(disk.links.first?.href)
        // Two pieces; a piece that leaves a gap and one whose length disagrees with its range are refused.
        #expect(try await sim.raw("PUT", diskLink, body: "disk ", headers: [("Content-Range", "bytes 0-4/10")]).status == 200)
        #expect(try await sim.raw("PUT", diskLink, body: "es", headers: [("Content-Range", "bytes 8-9/10")]).status == 400)
        #expect(try await sim.raw("PUT", diskLink, body: "bytes", headers: [("Content-Range", "bytes 5-8/10")]).status == 400)
        #expect(try await Self.waitForFile(admin, templateHref, "disk1.vmdk")["bytesTransferred"] == "5")
        // The first piece again (its answer was lost) changes nothing.
        #expect(try await sim.raw("PUT", diskLink, body: "disk ", headers: [("Content-Range", "bytes 0-4/10")]).status == 200)
        #expect(try await sim.raw("PUT", diskLink, body: "bytes", headers: [("Content-Range", "bytes 5-9/10")]).status == 200)
        for _ in 0..<250 where try await admin.get(templateHref)["status"] != "8" { try await Task.sleep(for: .milliseconds(20)) }
        template = try await admin.get(templateHref)
        #expect(template["status"] == "8")
        // Finished files stay listed, complete, with the SHA-1 of "disk bytes".
        let finished = try #require(Self.file(template, "disk1.vmdk"))
        #expect(finished["bytesTransferred"] == "10")
        #expect(finished["checksum"] == "c3f6db3432c381752fee929b831a33d680f697be")
        #expect(template.path("Children")?.all("Vm").first?.path("VmSpecSection", "NumCpus")?.text == "2")
        // A second upload of the same name is refused.
        await #expect(throws: VCDError.self) {
            _ = try await admin.send("POST", upload,
                                     xml: #"<UploadVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="photon-upload"/>"#,
                                     contentType: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml")
        }
    }

    @Test func theClientSendsOnlyWhatIsMissingAndResumesAnInterruptedUpload() async throws {
        let sim = try await SimHarness.start { $0.uploadListSeconds = 0.3 }
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cse-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let disk = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let diskPath = directory.appendingPathComponent("disk1.vmdk").path
        try disk.write(to: URL(fileURLWithPath: diskPath))
        let descriptor = Data(Self.descriptor.replacingOccurrences(of: #"ovf:size="10""#, with: #"ovf:size="100000""#).utf8)
        // An earlier run sent the descriptor and the first 30000 bytes, then stopped.
        let (_, templateHref) = try await Self.beginUpload(sim, admin, name: "resumed")
        let descriptorLink = try #require(Self.file(try await admin.get(templateHref), "descriptor.ovf")?.links.first?.href)
        #expect(try await sim.raw("PUT", descriptorLink, body: String(decoding: descriptor, as: UTF8.self)).status == 200)
        let diskLink = try #require(try await Self.waitForFile(admin, templateHref, "disk1.vmdk").links.first?.href)
        let firstPiece = HTTPRequest(method: "PUT", url: diskLink, headers: [(name: "Content-Range", value: "bytes 0-29999/100000")],
                                     body: disk.prefix(30_000))
        #expect(try await CurlHTTPClient().send(firstPiece).status == 200)
        try await sim.resetCounters()
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        let lines = LineCollector()
        let itemHref = try await admin.uploadOVF(catalog: catalog, itemName: "resumed", description: "d", descriptor: descriptor,
                                                 files: ["disk1.vmdk": OVFFileSource(path: diskPath, size: Int64(disk.count))],
                                                 pieceSize: 16_384, progress: { lines.append($0) }, pollInterval: .milliseconds(20), timeout: .seconds(60))
        let template = try await admin.templateOfItem(itemHref)
        #expect(template["status"] == "8")
        let expected = SimTestSHA1.hex(disk)
        #expect(Self.file(template, "disk1.vmdk")?["checksum"] == expected, "the bytes arrived in order, once each")
        // 70000 bytes left in 16 KiB pieces: 5 PUTs, and the descriptor was not sent again.
        let counters = try await sim.counters()
        let puts = counters.filter { $0.key.hasPrefix("PUT /transfer") }.values.reduce(0, +)
        #expect(puts == 5, "\(counters)")
        #expect(lines.lines.last?.contains("100000/100000") == true, "\(lines.lines)")
    }
}

final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

enum SimTestSHA1 {
    static func hex(_ data: Data) -> String {
        Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
