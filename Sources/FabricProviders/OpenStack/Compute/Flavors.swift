/// Nova flavors, as searchable objects: swap is a number of MB even where Nova writes "".
import FabricRecords

enum Flavors {
    static func detail(_ compute: String) -> String { compute + "/flavors/detail" }

    static func searchable(_ flavor: JSON) -> JSON {
        let copy = flavor.copy()
        copy["links"] = nil
        if copy["swap"]?.string != nil { copy["swap"] = JSON(0) }
        if let ephemeral = copy["OS-FLV-EXT-DATA:ephemeral"] { copy["ephemeral"] = ephemeral }
        return copy
    }
}
