import Foundation
import GuestSecrets

extension GuestContract.SealingKey {
    /// The public half of one of the installation's key pairs, as a master script carries it.
    public init(_ key: InstallationKey) {
        self.init(id: key.id, publicKeyPEM: key.publicKeyPEM)
    }
}
