import Foundation
import Testing
import VCDClient
@testable import VCDSim

@Suite("Simulator OVF upload")
struct UploadTests {
    @Test func uploadDescriptorThenDiskThenTheTemplateResolvesWithChecksums() async throws {
        let sim = try await SimHarness.start()
        defer { Task { await sim.stop() } }
        let admin = sim.admin()
        let catalog = try await admin.catalog(named: "cse", org: try await admin.org(named: "cse"))
        let upload = try #require(catalog.link(rel: "add", type: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml"))
        let item = try await admin.send("POST", upload.href,
                                        xml: #"<UploadVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="photon-upload"><Description>d</Description></UploadVAppTemplateParams>"#,
                                        contentType: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml")
        let templateHref = try #require(item.first("Entity")?["href"])
        var template = try await admin.get(templateHref)
        #expect(template["status"] == "0")
        let descriptorLink = try #require(template.descendants("File").first { $0["name"] == "descriptor.ovf" }?.links.first?.href)
        let descriptor = """
            <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
            <References><File href="disk1.vmdk" id="file1"/></References>
            <VirtualSystem id="photon"><VirtualHardwareSection>
            <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
            <Item><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>2048</rasd:VirtualQuantity></Item>
            </VirtualHardwareSection></VirtualSystem></Envelope>
            """
        #expect(try await sim.raw("PUT", descriptorLink, body: descriptor).status == 200)
        template = try await admin.get(templateHref)
        let diskLink = try #require(template.descendants("File").first { $0["name"] == "disk1.vmdk" }?.links.first?.href)
        #expect(try await sim.raw("PUT", diskLink, body: "disk bytes").status == 200)
        for _ in 0..<100 where try await admin.get(templateHref)["status"] != "8" { try await Task.sleep(for: .milliseconds(20)) }
        template = try await admin.get(templateHref)
        #expect(template["status"] == "8")
        // SHA-1 of "disk bytes", as the File element's checksum.
        #expect(template.descendants("File").first { $0["name"] == "disk1.vmdk" }?["checksum"] == "c3f6db3432c381752fee929b831a33d680f697be")
        #expect(template.path("Children")?.all("Vm").first?.path("VmSpecSection", "NumCpus")?.text == "2")
        // A second upload of the same name is refused.
        await #expect(throws: VCDError.self) {
            _ = try await admin.send("POST", upload.href,
                                     xml: #"<UploadVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="photon-upload"/>"#,
                                     contentType: "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml")
        }
    }
}
