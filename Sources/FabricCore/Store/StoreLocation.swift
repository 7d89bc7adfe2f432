/// Where the store lives: --store, then FABRIC_STORE, then the XDG state directory.
public enum StoreLocation {
    public static func resolve(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let path = environment("FABRIC_STORE"), !path.isEmpty { return path }
        if let state = environment("XDG_STATE_HOME"), state.hasPrefix("/") { return state + "/fabric/fabric.db" }
        return (environment("HOME") ?? ".") + "/.local/state/fabric/fabric.db"
    }
}
