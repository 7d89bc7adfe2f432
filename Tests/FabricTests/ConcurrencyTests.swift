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
        // Kill it once its transaction is open and has written a good part, a moment that must
        // not depend on timing. MySQL: another session holds an uncommitted row with the key of
        // record 20,000, so the add waits there (a lock wait) with 19,999 rows written and not
        // committed until it is killed; the holder rolls back after the kill. SQLite has one
        // writer and nothing to wait on mid-transaction: the kill comes once the WAL file has
        // passed 1 MB, which the 200,000 rows pass long before their commit. (A server needs
        // only the rows up to the held key; making 200,000 lines in bash costs seconds.)
        var hold = "", killWhenWriting = "", release = ""
        switch backend {
        case .sqlite:
            killWhenWriting = #"""
                for _ in $(seq 3000); do
                  (( $(stat -c %s "$FABRIC_STORE-wal" 2>/dev/null || echo 0) > 1000000 )) && break
                  sleep 0.01
                done
                """#
        case .mysql, .galera:
            let client = "mariadb --defaults-file='\(backend.clientOptions!)' -N -B -r \(h.database)"
            hold = #"""
                until_count() { # until_count N SQL: waits (up to 60 s) until the query's number is at least N
                  for _ in $(seq 600); do (( $(\#(client) -e "$2" || echo 0) >= $1 )) && return 0; sleep 0.1; done
                  echo "timed out waiting for: $2"; return 1
                }
                # Transactions of this test's database only: other tests share the server.
                ours="FROM information_schema.innodb_trx JOIN information_schema.processlist ON id = trx_mysql_thread_id WHERE db = '\#(h.database)'"
                mkfifo holder.sql
                \#(client) < holder.sql > holder.out 2>&1 & holder=$!
                exec 3> holder.sql
                echo "BEGIN; INSERT INTO machines (machine_uuid, provider_id, created, record) VALUES ('m-020000', 'demo', 'held', '{}');" >&3
                until_count 1 "SELECT count(*) $ours"
                """#
            killWhenWriting = #"""
                until_count 19999 "SELECT COALESCE(MAX(trx_rows_modified), 0) $ours AND trx_state = 'LOCK WAIT'"
                """#
            release = #"""
                echo "ROLLBACK;" >&3; exec 3>&-
                wait "$holder"; cat holder.out
                """#
        }
        let result = h.sh(#"""
            for i in $(seq \#(backend == .sqlite ? 200_000 : 25_000)); do printf '{"kind":"machine","provider_id":"demo","uuid":"m-%06d"}\n' "$i"; done > big.jsonl
            \#(hold)
            fabric-store add < big.jsonl > /dev/null & pid=$!
            \#(killWhenWriting)
            kill -KILL "$pid"; wait "$pid"; echo "status $?"
            \#(release)
            """#)
        #expect(result.stdout.contains("status 137"), "\(result.stdout) \(result.stderr)")
        let integrity = switch backend {
        case .sqlite: h.sql("PRAGMA integrity_check")
        case .mysql, .galera: h.sql("CHECK TABLE machines").map { String($0.split(separator: "|").last ?? "") }
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
