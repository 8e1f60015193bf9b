import Foundation
import Testing
import VCDClient

@Suite("XMLTree: bodies parsed with libxml2")
struct XMLTreeTests {
    @Test func readsNamesNamespacesAttributesAndText() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <VApp xmlns="http://www.vmware.com/vcloud/v1.5" xmlns:vmw="http://www.vmware.com/schema/ovf" name="a &amp; b" vmw:key="k1">
              <Description><![CDATA[x < y]]> and &lt;more&gt;</Description>
              <Link rel="down" href="/api/one"/>
              <Link rel="up" href="/api/two" type="application/vnd.vmware.vcloud.vdc+xml"/>
              <Children><Vm name="m1"><Status>4</Status></Vm><Vm name="n1"/></Children>
            </VApp>
            """
        let tree = try XMLTree.parse(Data(xml.utf8))
        #expect(tree.name == "VApp")
        #expect(tree.namespace == "http://www.vmware.com/vcloud/v1.5")
        #expect(tree["name"] == "a & b")
        #expect(tree["key"] == "k1" && tree["vmw:key"] == "k1")
        #expect(tree.first("Description")?.text == "x < y and <more>")
        #expect(tree.text == "")
        #expect(tree.link(rel: "down")?.href == "/api/one")
        #expect(tree.link(rel: "up", type: "application/vnd.vmware.vcloud.vdc+xml")?.href == "/api/two")
        #expect(tree.path("Children")?.all("Vm").map { $0["name"] } == ["m1", "n1"])
        #expect(tree.descendants("Status").map(\.text) == ["4"])
    }

    @Test func refusesWhatIsNotWellFormedAndExpandsNoEntities() throws {
        #expect(throws: XMLTreeError.self) { try XMLTree.parse(Data("<a><b></a>".utf8)) }
        #expect(throws: XMLTreeError.self) { try XMLTree.parse(Data()) }
        #expect(throws: XMLTreeError.self) { try XMLTree.parse(Data("not xml".utf8)) }
        let withEntity = try XMLTree.parse(Data("<!DOCTYPE a [<!ENTITY e \"expanded\">]><a>&e;</a>".utf8))
        #expect(!withEntity.text.contains("expanded"))
    }
}
