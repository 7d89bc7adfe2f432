import Foundation
import Testing

/// One store shared by many processes at once, and a writer killed mid-transaction: no error,
/// no "database is locked" (or deadlock), no lost or duplicated row, and a store that stays
/// sound, on both backends.
@Suite struct ConcurrencyTests {
    @Test(arguments: Backend.allCases) func eightMachineCreatesAtOnce(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        let result = h.sh("""
            for i in $(seq 8); do fabric --json machine create demo --number_machines 2 > out.$i 2> err.$i & done
            failed=0; for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
            echo "failed $failed"; cat err.*
            """)
        #expect(result.stdout.hasPrefix("failed 0"), "\(result.stdout)")
        #expect(!result.stdout.contains("locked"), "\(result.stdout)")
        let rows = h.sql("SELECT count(*), count(DISTINCT machine_uuid) FROM machines")
        #expect(rows == ["16|16"], "every machine of every create is recorded once: \(rows)")
        #expect(h.sql("SELECT count(*) FROM null_servers") == ["16"])
        #expect(h.sql("SELECT count(DISTINCT private_address) FROM null_servers") == ["16"], "no address given twice")
        print("concurrency (\(backend)): 8 machine creates at once: \(rows.first ?? "?") rows (total|distinct), expected 16|16")
    }

    /// 16 processes, 50 operations each: add a machine, list, remove every other one added.
    /// Each process's survivors are known exactly, so a lost or duplicated row shows.
    @Test(arguments: Backend.allCases) func sixteenProcessesOfMixedOperations(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        let result = h.sh(#"""
            worker() {
              local w=$1 i
              for i in $(seq 50); do
                case $((i % 3)) in
                  0) fabric-store list machines -p demo > /dev/null || return 1 ;;
                  1) printf '{"kind":"machine","provider_id":"demo","uuid":"w%02d-%02d","status":"ACTIVE"}\n' "$w" "$i" \
                       | fabric-store add > /dev/null || return 1 ;;
                  2) fabric-store remove machine -p demo "w$(printf %02d "$w")-$(printf %02d $((i - 1)))" > /dev/null || return 1 ;;
                esac
              done
            }
            for w in $(seq 16); do worker "$w" 2> "err.$w" & done
            failed=0; for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
            echo "failed $failed"; cat err.*
            """#)
        #expect(result.stdout.hasPrefix("failed 0"), "\(result.stdout)")
        #expect(!result.stdout.contains("locked"), "\(result.stdout)")
        // i % 3 == 1 adds w-i and i % 3 == 2 removes w-(i-1): each of a worker's 17 adds
        // (i = 1, 4, ..., 49) is removed again (i = 2, 5, ..., 50), so exactly none may stay.
        let rows = h.sql("SELECT count(*), count(DISTINCT machine_uuid) FROM machines")
        #expect(rows == ["0|0"], "\(rows)")
        // Now keep one row per worker and operation count exactly: 16 x 10 adds, none removed.
        let adds = h.sh(#"""
            for w in $(seq 16); do
              ( for i in $(seq 10); do
                  printf '{"kind":"machine","provider_id":"demo","uuid":"k%02d-%02d"}\n' "$w" "$i" | fabric-store add > /dev/null || exit 1
                  fabric-store list machines > /dev/null || exit 1
                done ) 2> "adderr.$w" &
            done
            failed=0; for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
            echo "failed $failed"; cat adderr.*
            """#)
        #expect(adds.stdout.hasPrefix("failed 0"), "\(adds.stdout)")
        let kept = h.sql("SELECT count(*), count(DISTINCT machine_uuid) FROM machines")
        #expect(kept == ["160|160"], "\(kept)")
        print("concurrency (\(backend)): 16 processes x 50 mixed operations: failed \(result.stdout.prefix(while: { $0 != "\n" })), rows left \(rows); 16 x 10 adds + lists: \(kept.first ?? "?") (expected 160|160)")
    }

    /// A writer killed with SIGKILL in the middle of a big transaction: the backend rolls it
    /// back, the store passes its integrity check, and the next command works.
    @Test(arguments: Backend.allCases) func writerKilledMidTransaction(_ backend: Backend) {
        let h = Harness(backend)
        h.registerNull()
        // Kill it once its transaction has written a good part: SQLite's WAL file has grown, or
        // InnoDB counts the rows the open transaction changed.
        let writing = switch backend {
        case .sqlite: #"(( $(stat -c %s "$FABRIC_STORE-wal" 2>/dev/null || echo 0) > 1000000 ))"#
        case .mysql: "(( $(\(h.sqlCommand("SELECT COALESCE(MAX(trx_rows_modified), 0) FROM information_schema.innodb_trx")) || echo 0) > 20000 ))"
        }
        let result = h.sh(#"""
            for i in $(seq 200000); do printf '{"kind":"machine","provider_id":"demo","uuid":"m-%06d"}\n' "$i"; done > big.jsonl
            fabric-store add < big.jsonl > /dev/null & pid=$!
            for _ in $(seq 3000); do
              \#(writing) && break
              sleep 0.01
            done
            kill -KILL "$pid"; wait "$pid"; echo "status $?"
            """#)
        #expect(result.stdout.contains("status 137"), "\(result.stdout) \(result.stderr)")
        let integrity = switch backend {
        case .sqlite: h.sql("PRAGMA integrity_check")
        case .mysql: h.sql("CHECK TABLE machines").map { String($0.split(separator: "|").last ?? "") }
        }
        #expect(integrity == [backend == .sqlite ? "ok" : "OK"], "\(integrity)")
        // The server sees the killed client's connection go and rolls its transaction back;
        // that can take a moment after the kill.
        var left = h.sql("SELECT count(*) FROM machines")
        for _ in 0..<50 where left != ["0"] {
            Thread.sleep(forTimeInterval: 0.1)
            left = h.sql("SELECT count(*) FROM machines")
        }
        #expect(left == ["0"], "the killed transaction left no row")
        let next = h.sh("fabric --json machine create demo")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(h.sql("SELECT count(*) FROM machines") == ["1"])
        print("concurrency (\(backend)): writer killed mid-transaction: integrity \(integrity), next command status \(next.status)")
    }
}
