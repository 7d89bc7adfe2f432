/// The store's schema, one migration per version. A store is brought up to the newest version
/// when it is opened; `PRAGMA user_version` records how far it has come.
enum Schema {
    static let migrations: [String] = [
        // 1: the spec's providers and machines tables, snapshots, and the null provider's cloud.
        """
        CREATE TABLE providers (
            provider_id    TEXT PRIMARY KEY NOT NULL,
            type           INTEGER NOT NULL,
            username       TEXT NOT NULL,
            password       TEXT NOT NULL,
            url            TEXT NOT NULL,
            tenant         TEXT NOT NULL,
            default_image  TEXT,
            default_flavor TEXT,
            extra          TEXT NOT NULL DEFAULT '{}',
            created        TEXT NOT NULL
        );
        CREATE TABLE machines (
            machine_uuid TEXT NOT NULL,
            provider_id  TEXT NOT NULL REFERENCES providers(provider_id),
            av_zone      TEXT,
            addresses    TEXT NOT NULL DEFAULT '[]',
            status       TEXT,
            group_id     TEXT,
            created      TEXT NOT NULL,
            record       TEXT NOT NULL,
            PRIMARY KEY (provider_id, machine_uuid)
        );
        CREATE INDEX machines_group ON machines(group_id);
        CREATE TABLE snapshots (
            snapshot_id  TEXT NOT NULL,
            provider_id  TEXT NOT NULL REFERENCES providers(provider_id),
            machine_uuid TEXT NOT NULL,
            name         TEXT,
            status       TEXT,
            created      TEXT NOT NULL,
            record       TEXT NOT NULL,
            PRIMARY KEY (provider_id, snapshot_id)
        );
        CREATE INDEX snapshots_machine ON snapshots(provider_id, machine_uuid);
        CREATE TABLE null_servers (
            id            TEXT PRIMARY KEY NOT NULL,
            provider_id   TEXT NOT NULL,
            name          TEXT NOT NULL,
            group_id      TEXT,
            image_id      TEXT NOT NULL,
            flavor_id     TEXT NOT NULL,
            av_zone       TEXT NOT NULL,
            network       TEXT NOT NULL,
            private_address TEXT NOT NULL,
            failed_reason TEXT,
            metadata      TEXT NOT NULL DEFAULT '{}',
            request       TEXT NOT NULL DEFAULT '{}',
            created       REAL NOT NULL
        );
        CREATE INDEX null_servers_provider ON null_servers(provider_id, group_id);
        CREATE TABLE null_addresses (
            address     TEXT PRIMARY KEY NOT NULL,
            provider_id TEXT NOT NULL,
            server_id   TEXT NOT NULL,
            network     TEXT NOT NULL
        );
        CREATE TABLE null_images (
            id            TEXT PRIMARY KEY NOT NULL,
            provider_id   TEXT NOT NULL,
            name          TEXT NOT NULL,
            machine_uuid  TEXT NOT NULL,
            min_disk      INTEGER NOT NULL,
            min_ram       INTEGER NOT NULL,
            failed_reason TEXT,
            created       REAL NOT NULL
        );
        """,
    ]

    static var version: Int { migrations.count }
}
