/// How one VM gets its bootstrap: a guest customization script (images without cloud-init), or cloud-init user data
/// in extra config set before power-on (the guest customization then only names and addresses the VM).
public struct GuestBootstrap: Sendable {
    public enum Delivery: String, Sendable {
        case customizationScript = "guest customization script"
        case cloudInit = "cloud-init user data (guestinfo.userdata)"
    }

    public var delivery: Delivery
    /// The bash script that runs on the guest either way.
    public var script: String

    public init(delivery: Delivery, script: String) {
        self.delivery = delivery
        self.script = script
    }

    /// What goes into the VM's GuestCustomizationSection.
    public var customizationScript: String? { delivery == .customizationScript ? script : nil }

    /// Extra config to set before power-on.
    public var extraConfig: [(key: String, value: String)] {
        delivery == .cloudInit ? CloudInitUserData.extraConfig(script: script) : []
    }
}
