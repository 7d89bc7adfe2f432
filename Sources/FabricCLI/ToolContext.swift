import FabricProviders
import FabricRecords
import FabricStore
/// The store and providers one tool run uses, each opened once and only when needed.
public final class ToolContext {
    private let storeOptions: StoreOptions
    private var openedStore: Store?
    private var providers: [String: any Provider] = [:]

    public init(store: StoreOptions) { storeOptions = store }

    public var store: Store {
        get throws(FabricError) {
            if let openedStore { return openedStore }
            let store = try Store(storeOptions)
            openedStore = store
            return store
        }
    }

    public func provider(_ id: String) throws(FabricError) -> any Provider {
        if let cached = providers[id] { return cached }
        let record = try store.provider(id)
        let provider = try makeProvider(record, store: store)
        providers[id] = provider
        return provider
    }

    /// The provider a record belongs to: its `provider_id`, or `-p` when it has none.
    /// Both given and different is an error rather than a guess.
    public func providerID(for record: JSON, option: String?) throws(FabricError) -> String {
        let fromRecord = record["provider_id"]?.string
        switch (fromRecord, option) {
        case let (record?, option?) where record != option:
            throw FabricError.input("record belongs to provider \(quoted(record)) but -p names \(quoted(option))")
        case let (id?, _), let (nil, id?):
            return try Identifier.provider.check(id)
        case (nil, nil):
            throw FabricError.usage("no provider: give -p ID or pipe in records that carry provider_id")
        }
    }
}
