/// A VM's extra config (`guestinfo.*` and other VMX keys), set by system administrators.
extension VCDSession {
    /// Sets extra config entries through `POST <vm>/action/reconfigureVm` (vCD API reference; CAPVCD sets
    /// `guestinfo.userdata` this way before power-on). The body is a `Vm` (VmType: `name` is required) whose
    /// `ovf:VirtualHardwareSection` holds only `ovf:Info` and the `vmw:ExtraConfig` entries (ovf-vmware.xsd:
    /// ConfigKeyValue_Type, `vmw:key` and `vmw:value` required); sections left out are left unchanged.
    public func setExtraConfig(vmHref: String, _ entries: [(key: String, value: String)]) async throws -> VCDTask {
        let vm = try await get(vmHref)
        let extra = entries.map { entry in
            XMLWriter.element("vmw:ExtraConfig", ["ovf:required": "false", "vmw:key": entry.key, "vmw:value": entry.value])
        }.joined()
        let body = XMLWriter.element("Vm", ["xmlns": XMLWriter.vcloud, "xmlns:ovf": XMLWriter.ovf, "xmlns:vmw": XMLWriter.vmw,
                                            "name": vm["name"] ?? "vm"],
            XMLWriter.element("ovf:VirtualHardwareSection", [:], "<ovf:Info>Virtual hardware requirements</ovf:Info>" + extra))
        let answer = try await send("POST", vmHref + "/action/reconfigureVm", xml: body, contentType: MediaType.vm)
        return try VCDTask(answer)
    }
}
