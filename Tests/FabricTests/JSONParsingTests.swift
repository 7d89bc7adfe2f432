import Foundation
import Testing

/// Records are parsed by a fast reader for plain JSON and by jansson for everything else; both
/// must give the same record, and malformed input must still be named by line and column.
@Suite struct JSONParsingTests {
    @Test func everyKindOfValuePassesThroughUnchanged() {
        let h = Harness()
        // Plain records (fast path), then ones that need jansson: \u escapes, UTF-8, reals,
        // integers too long for the fast path, whitespace everywhere.
        let input = """
        {"kind":"machine","uuid":"u1","s":"q\\"b\\\\s\\/n\\nr\\rt\\tb\\bf\\f","n":-0,"i":-42,"z":0,"m":999999999999999999,"big":-9223372036854775808,"max":9223372036854775807,"t":true,"f":false,"null":null,"arr":[],"obj":{},"nest":[[1,[2,{"k":[true,false,null]}]]],"dup":1,"dup":2,"":"empty key","k\\ney":1}
          {  "kind" : "machine" , "uuid" : "u2" , "list" : [ 1 , 2 , 3 ] }
        {"kind":"machine","uuid":"u3","u":"caf\\u00e9 \\ud83d\\ude00","raw":"café","ctl":"\\u0001","r":0.1,"e":1e5}

        """
        let result = h.sh("fabric-public-address", stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [
            #"{"kind":"machine","uuid":"u1","s":"q\"b\\s/n\nr\rt\tb\u0008f\u000c","n":0,"i":-42,"z":0,"m":999999999999999999,"big":-9223372036854775808,"max":9223372036854775807,"t":true,"f":false,"null":null,"arr":[],"obj":{},"nest":[[1,[2,{"k":[true,false,null]}]]],"dup":2,"":"empty key","k\ney":1}"#,
            #"{"kind":"machine","uuid":"u2","list":[1,2,3]}"#,
            #"{"kind":"machine","uuid":"u3","u":"café 😀","raw":"café","ctl":"\u0001","r":0.1,"e":100000.0}"#,
        ], "\(result.stdout)")
    }

    @Test func malformedRecordsAreReportedByJansson() {
        let h = Harness()
        let cases: [(input: String, message: String)] = [
            (#"{"a":1,}"#, "line 1, column 8: invalid JSON: string or '}' expected"),
            (#"{"a":01}"#, "line 1, column 6: invalid JSON: invalid token"),
            (#"{"a":tru}"#, "invalid JSON: invalid token near 'tru'"),
            (#"{"a":[1,]}"#, "invalid JSON: unexpected token near ']'"),
            (#"{"a" 1}"#, "invalid JSON: ':' expected near '1'"),
            (#"{"a":"\x"}"#, "invalid JSON: invalid escape"),
            (#"{"a":12345678901234567890}"#, "invalid JSON: too big integer"),
        ]
        for (input, message) in cases {
            let result = h.sh("fabric-public-address", stdin: "{\"uuid\":\"ok\"}\n" + input + "\n")
            #expect(result.status == 65, "\(input): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(input): \(result.stdout)")
            #expect(result.stderr.contains(message.replacingOccurrences(of: "line 1", with: "line 2")), "\(input): \(result.stderr)")
        }
    }
}
