import Foundation
import Testing
@testable import Observe
import VCDClient

/// Unknown is not zero: what vCD always sends is required (its absence fails the observation), what it may omit
/// stays nil, and metadata that does not read as cse's is not taken for cse's.
@Suite struct DocumentRecordTests {
    private func vm(_ attributes: [String: String]) -> QueryRecord { QueryRecord(kind: "AdminVMRecord", attributes: attributes) }

    @Test func aVMRecordWithoutItsContainerOrHrefIsAnError() {
        #expect(throws: MissingField(record: "AdminVMRecord", field: "container", href: "https://vcd/api/vApp/vm-1")) {
            try VMRecord(vm(["href": "https://vcd/api/vApp/vm-1", "name": "c1-m1"]))
        }
        #expect(throws: MissingField(record: "AdminVMRecord", field: "href")) { try VMRecord(vm(["name": "c1-m1", "container": "x"])) }
    }

    @Test func aSizeVCDDidNotSendIsUnknownNotZero() throws {
        let record = try VMRecord(vm(["href": "h", "name": "c1-m1", "container": "v", "numberOfCpus": "", "status": "POWERED_ON"]))
        #expect(record.cpu == nil && record.memoryMB == nil)
        let document = try XMLTree.parse(Data("<Vm href=\"h\" name=\"c1-m1\"><VmSpecSection/></Vm>".utf8))
        #expect(VMDocument(document).cpu == nil && VMDocument(document).memoryMB == nil)
    }

    @Test func catalogItemsNeedVCDsFieldsAndCsesMetadata() throws {
        let base = ["href": "https://vcd/api/catalogItem/1", "name": "k8s-u-r1", "catalogName": "cse", "org": "https://vcd/api/org/cse",
                    "entity": "https://vcd/api/vAppTemplate/vappTemplate-1", "status": "RESOLVED"]
        let good = ["cse.template.name": "ubuntu", "cse.template.revision": "1", "cse.spec.hash": "h"]
        let revision = try Observer.template(QueryRecord(kind: "AdminCatalogItemRecord", attributes: base, metadata: good))
        #expect(revision?.revision == 1 && revision?.vAppTemplateHref == "https://vcd/api/vAppTemplate/vappTemplate-1" && revision?.org == "cse")
        var badRevision = good
        badRevision["cse.template.revision"] = "one"
        #expect(try Observer.template(QueryRecord(kind: "AdminCatalogItemRecord", attributes: base, metadata: badRevision)) == nil,
                "a revision that does not read as a number is not taken for revision 0")
        var noCatalog = base
        noCatalog["catalogName"] = nil
        #expect(throws: MissingField.self) { try Observer.template(QueryRecord(kind: "AdminCatalogItemRecord", attributes: noCatalog, metadata: good)) }
    }
}
