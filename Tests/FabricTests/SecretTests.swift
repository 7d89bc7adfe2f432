import Foundation
import Testing

/// The provider password stays secret: the store that holds it is private. That no command line
/// and no output holds it is the provider contract's (Contract/ProviderContract.swift).
@Suite struct SecretTests {
    static let password = "Pw-5ecret-9d1c7a"

    @Test func theStoreIsPrivate() throws {
        let h = Harness()
        _ = h.write("pw.txt", Self.password + "\n")
        #expect(h.sh("fabric provider register demo admin null:// demo --provider_type null --password-stdin --default_image ubuntu-24.04-mysql-8.4 --default_flavor m1.medium < pw.txt").status == 0)
        let file = try FileManager.default.attributesOfItem(atPath: h.store)
        #expect((file[.posixPermissions] as? Int) == 0o600)
        let nested = h.directory.appendingPathComponent("state/fabric/fabric.db").path
        // A command that writes makes the store, and its directory, private.
        #expect(h.sh("fabric provider register demo admin secret null:// demo --provider_type null --store \(nested)").status == 0)
        let nestedDir = try FileManager.default.attributesOfItem(atPath: h.directory.appendingPathComponent("state/fabric").path)
        #expect((nestedDir[.posixPermissions] as? Int) == 0o700)
    }
}
